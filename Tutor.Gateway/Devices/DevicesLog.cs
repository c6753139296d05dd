using System.Net.WebSockets;

namespace Tutor.Gateway.Devices;

/// <summary>What a device connection logs (event ids 1000–1099): ids, counts, formats and reasons — never the child's audio.</summary>
internal static partial class DevicesLog
{
    [LoggerMessage(1000, LogLevel.Information, "Device of user {UserId} connected as session {SessionId}")]
    public static partial void Connected(this ILogger logger, string userId, string sessionId);

    [LoggerMessage(1001, LogLevel.Information, "Gateway stopping; the device is told to reconnect")]
    public static partial void ToldToReconnect(this ILogger logger);

    [LoggerMessage(1002, LogLevel.Information, "Device connection dropped: {Reason}")]
    public static partial void Dropped(this ILogger logger, string reason);

    [LoggerMessage(1003, LogLevel.Error, "Redis failed under the session; closing it")]
    public static partial void RedisFailedUnderSession(this ILogger logger, Exception exception);

    [LoggerMessage(1004, LogLevel.Information, "Session left for the device to resume")]
    public static partial void LeftToResume(this ILogger logger);

    [LoggerMessage(1005, LogLevel.Information, "Session closed ({Status} {Description})")]
    public static partial void Closed(this ILogger logger, WebSocketCloseStatus status, string description);

    [LoggerMessage(1006, LogLevel.Information, "Device speaks {Format}, {FrameDuration} ms frames")]
    public static partial void Negotiated(this ILogger logger, string format, int frameDuration);

    [LoggerMessage(1007, LogLevel.Information, "Device aborted {Count} turn(s) ({Reason})")]
    public static partial void Aborted(this ILogger logger, int count, string reason);

    [LoggerMessage(1008, LogLevel.Information, "Utterance reached the maximum length and was cut; the rest continues as the next")]
    public static partial void UtteranceCut(this ILogger logger);

    [LoggerMessage(1009, LogLevel.Information, "Device idle for {Timeout}; closing")]
    public static partial void Idle(this ILogger logger, TimeSpan timeout);

    [LoggerMessage(1010, LogLevel.Warning, "{Count} turn(s) unanswered for {Deadline}; the device is told")]
    public static partial void TurnsOverdue(this ILogger logger, int count, TimeSpan deadline);

    [LoggerMessage(1011, LogLevel.Warning, "Device error {Code}: {Message}")]
    public static partial void DeviceError(this ILogger logger, string code, string message);

    [LoggerMessage(1012, LogLevel.Warning, "Redis clean-up of the session failed; the keys expire by themselves")]
    public static partial void CleanUpFailed(this ILogger logger, Exception exception);

    [LoggerMessage(1013, LogLevel.Warning, "Ignored a malformed message on {Channel}")]
    public static partial void MalformedEviction(this ILogger logger, string channel);

    [LoggerMessage(1014, LogLevel.Information, "Device {DeviceId} of {UserId}: connection of session {SessionId} closed ({Code})")]
    public static partial void Evicted(this ILogger logger, string deviceId, string userId, string sessionId, string code);

    [LoggerMessage(1015, LogLevel.Error, "No session could be opened for user {UserId}")]
    public static partial void NoSession(this ILogger logger, Exception exception, string? userId);
}

/// <summary>The log category of the device socket endpoint (static endpoint classes cannot name one).</summary>
internal sealed class DevicesLogCategory;
