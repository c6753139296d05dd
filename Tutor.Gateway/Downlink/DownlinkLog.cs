namespace Tutor.Gateway.Downlink;

/// <summary>What the way back to the device logs (event ids 1600–1699): ids, sequences, lengths — never the reply's words or audio.</summary>
internal static partial class DownlinkLog
{
    [LoggerMessage(1600, LogLevel.Warning, "Ignored a malformed event on {Channel}")]
    public static partial void MalformedEvent(this ILogger logger, string channel);

    [LoggerMessage(1601, LogLevel.Information, "Event {Type} {Sequence} of turn {TurnId} came again or after the turn ended (its worker was replaced); dropped")]
    public static partial void LateEvent(this ILogger logger, string type, int? sequence, string turnId);

    [LoggerMessage(1602, LogLevel.Warning, "Ignored an event of type {Type} for session {SessionId}")]
    public static partial void UnknownEvent(this ILogger logger, string type, string sessionId);

    [LoggerMessage(1603, LogLevel.Warning, "Refused reply key {AudioKey} announced for session {SessionId}")]
    public static partial void ForeignReplyKey(this ILogger logger, string audioKey, string sessionId);

    [LoggerMessage(1604, LogLevel.Warning, "Reply audio {AudioKey} expired before it could be delivered")]
    public static partial void ReplyExpired(this ILogger logger, string audioKey);

    [LoggerMessage(1605, LogLevel.Debug, "Reply part {Sequence} of turn {TurnId} ({Bytes} bytes) queued for session {SessionId}")]
    public static partial void ReplyQueued(this ILogger logger, int? sequence, string turnId, int bytes, string sessionId);
}
