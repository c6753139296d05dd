namespace Tutor.Workers.Replies;

/// <summary>What the tutor's reply logs (event ids 2100–2199): what child safety did and why, never what was said.</summary>
internal static partial class RepliesLog
{
    [LoggerMessage(2100, LogLevel.Warning, "The child's words were flagged; redirecting")]
    public static partial void Redirected(this ILogger logger);

    [LoggerMessage(2101, LogLevel.Information, "Not sure what the child said (confidence {Confidence:F2}); asking again")]
    public static partial void AskingAgain(this ILogger logger, double? confidence);

    [LoggerMessage(2102, LogLevel.Warning, "The tutor's reply was replaced by the lesson's own words: {Reason}")]
    public static partial void ReplyReplaced(this ILogger logger, string reason);

    [LoggerMessage(2103, LogLevel.Warning, "Moderation failed; treating the text as {Verdict}")]
    public static partial void ModerationFailed(this ILogger logger, Exception exception, string verdict);

    [LoggerMessage(2104, LogLevel.Warning, "llama.cpp: {Message}")]
    public static partial void Llama(this ILogger logger, string message);
}
