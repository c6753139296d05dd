using Microsoft.Extensions.Logging;

namespace Tutor.Realtime.Transcripts;

/// <summary>What the parents' hub logs (event ids 3100–3199).</summary>
internal static partial class TranscriptsLog
{
    [LoggerMessage(3100, LogLevel.Warning, "Refused {Parent} following {UserId}")]
    public static partial void FollowRefused(this ILogger logger, string parent, string userId);
}
