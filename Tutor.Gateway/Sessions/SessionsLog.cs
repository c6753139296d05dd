namespace Tutor.Gateway.Sessions;

/// <summary>What sessions and the reply relay log (event ids 1300–1399): ids, keys, sizes.</summary>
internal static partial class SessionsLog
{
    [LoggerMessage(1300, LogLevel.Warning, "Ignored a malformed event on {Channel}")]
    public static partial void MalformedEvent(this ILogger logger, string channel);

    [LoggerMessage(1301, LogLevel.Information, "Event {Type} {Sequence} of turn {TurnId} came again or after the turn ended (its worker was replaced); dropped")]
    public static partial void LateEvent(this ILogger logger, string type, int? sequence, string turnId);

    [LoggerMessage(1302, LogLevel.Warning, "Ignored an event of type {Type} for session {SessionId}")]
    public static partial void UnknownEvent(this ILogger logger, string type, string sessionId);

    [LoggerMessage(1303, LogLevel.Warning, "Refused reply key {AudioKey} announced for session {SessionId}")]
    public static partial void ForeignReplyKey(this ILogger logger, string audioKey, string sessionId);

    [LoggerMessage(1304, LogLevel.Warning, "Reply audio {AudioKey} expired before it could be delivered")]
    public static partial void ReplyExpired(this ILogger logger, string audioKey);

    [LoggerMessage(1305, LogLevel.Debug, "Reply part {Sequence} of turn {TurnId} ({Bytes} bytes) queued for session {SessionId}")]
    public static partial void ReplyQueued(this ILogger logger, int? sequence, string turnId, int bytes, string sessionId);

    [LoggerMessage(1306, LogLevel.Information, "Redis is back; every session record is checked now")]
    public static partial void RedisBack(this ILogger logger);

    [LoggerMessage(1307, LogLevel.Information, "Session {SessionId} resumed after entry {Delivered}")]
    public static partial void Resumed(this ILogger logger, string sessionId, string? delivered);

    [LoggerMessage(1308, LogLevel.Warning, "Session {SessionId} had lost its record; writing it again")]
    public static partial void RecordRewritten(this ILogger logger, string sessionId);

    [LoggerMessage(1309, LogLevel.Information, "Turn {TurnId} of session {SessionId} aborted by the device")]
    public static partial void TurnAborted(this ILogger logger, string turnId, string sessionId);
}
