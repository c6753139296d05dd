using StackExchange.Redis;
using Tutor.Contracts.Messages;

namespace Tutor.Contracts.Redis;

/// <summary>
/// An entry of the <see cref="Channels.PendingUtterances"/> stream: the announcement, kept until a worker has finished the
/// turn. Workers read the stream as one consumer group, so each entry goes to exactly one of them.
/// </summary>
public static class PendingUtteranceFields
{
    public const string SessionId = "session_id";
    public const string AudioKey = "audio_key";
    public const string TraceParent = "traceparent";

    /// <summary>The consumer group every worker reads the stream in.</summary>
    public const string WorkerGroup = "workers";

    public static NameValueEntry[] Of(UtteranceAnnouncement announcement) =>
        [new(SessionId, announcement.SessionId), new(AudioKey, announcement.AudioKey), new(TraceParent, announcement.TraceParent ?? "")];

    /// <summary>The announcement an entry holds, or null when it is not one (a malformed entry is never worked on).</summary>
    public static UtteranceAnnouncement? Read(StreamEntry entry)
    {
        var sessionId = entry[SessionId];
        var audioKey = entry[AudioKey];
        if (sessionId.IsNullOrEmpty || audioKey.IsNullOrEmpty || RedisKeys.SessionOf(audioKey!) != sessionId) return null;
        var traceParent = entry[TraceParent];
        return new UtteranceAnnouncement(sessionId!, audioKey!, traceParent.IsNullOrEmpty ? null : (string?)traceParent);
    }
}
