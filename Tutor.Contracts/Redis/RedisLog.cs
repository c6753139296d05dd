using Microsoft.Extensions.Logging;

namespace Tutor.Contracts.Redis;

/// <summary>What Redis access logs in every service (event ids 3000–3099).</summary>
public static partial class RedisLog
{
    [LoggerMessage(3000, LogLevel.Debug, "Unsubscribing from {Channel} failed")]
    public static partial void UnsubscribeFailed(this ILogger logger, Exception exception, string channel);

    [LoggerMessage(3001, LogLevel.Warning, "Redis failed while {Operation}: {Reason}")]
    public static partial void RedisFailed(this ILogger logger, Exception exception, string operation, string reason);
}
