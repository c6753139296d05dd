namespace Tutor.Gateway.Sessions;

/// <summary>What the session records and aborts log (event ids 1300–1399): ids only.</summary>
internal static partial class SessionsLog
{
    [LoggerMessage(1306, LogLevel.Information, "Redis is back; every session record is checked now")]
    public static partial void RedisBack(this ILogger logger);

    [LoggerMessage(1307, LogLevel.Information, "Session {SessionId} resumed after entry {Delivered}")]
    public static partial void Resumed(this ILogger logger, string sessionId, string? delivered);

    [LoggerMessage(1308, LogLevel.Warning, "Session {SessionId} had lost its record; writing it again")]
    public static partial void RecordRewritten(this ILogger logger, string sessionId);

    [LoggerMessage(1309, LogLevel.Information, "Turn {TurnId} of session {SessionId} aborted by the device")]
    public static partial void TurnAborted(this ILogger logger, string turnId, string sessionId);
}
