namespace Tutor.Contracts.Redis;

/// <summary>Every Redis key Tutor writes, spelled once.</summary>
public static class RedisKeys
{
    /// <summary>An utterance's audio, as the gateway stored it: <c>audio:{session_id}:{uuid}</c>.</summary>
    public static string NewUtteranceAudio(string sessionId) => $"audio:{sessionId}:{Guid.NewGuid()}";

    /// <summary>A reply's audio, as a worker stored it: <c>response:{session_id}:{uuid}</c>.</summary>
    public static string NewReplyAudio(string sessionId) => $"{ReplyAudioPrefix}{sessionId}:{Guid.NewGuid()}";

    private const string ReplyAudioPrefix = "response:";

    /// <summary>
    /// Every event the workers published for a session, in order (a stream, field <see cref="ReplyStreamField"/>): pub/sub
    /// keeps nothing, so the gateway reads the events from here after the last one it relayed — a message missed while it
    /// resubscribed is not lost. Kept <see cref="AudioLifetime"/> after the last event, bounded in length.
    /// </summary>
    public static string ReplyStream(string sessionId) => $"replies:{sessionId}";

    public const string ReplyStreamField = "event";

    /// <summary>A connected device's session record (a hash, see <see cref="SessionFields"/>).</summary>
    public static string Session(string sessionId) => $"session:{sessionId}";

    /// <summary>A child's cached profile (JSON), read before Firebase or the local directory.</summary>
    public static string ChildProfile(string userId) => $"user:{userId}";

    /// <summary>A child's lesson progress (JSON <see cref="Lessons.ChildProgress"/>), kept across sessions.</summary>
    public static string ChildProgress(string userId) => $"progress:{userId}";

    /// <summary>The lesson a parent chose for the child's next turn to start (a lesson id), until a worker starts it.</summary>
    public static string ChosenLesson(string userId) => $"next-lesson:{userId}";

    /// <summary>The workers' lessons (hash: lesson id → <see cref="Lessons.LessonSummary"/> JSON), for the parents' page.</summary>
    public const string LessonCatalog = "lessons:catalog";

    /// <summary>Held by the worker running one of the child's turns, so two turns of a child never run at once.</summary>
    public static string ChildTurnLock(string userId) => $"turn-lock:{userId}";

    /// <summary>The stream id of the child's newest utterance waiting for (or holding) the turn lock; older waiting ones give up.</summary>
    public static string ChildNextTurn(string userId) => $"turn-next:{userId}";

    /// <summary>A child's conversation, a Redis stream of <see cref="Transcripts.TranscriptLine"/>s kept for the configured retention.</summary>
    public static string History(string userId) => $"history:{userId}";

    /// <summary>What each turn did (stream of <see cref="Lessons.TurnFact"/> JSON, field <c>fact</c>), for the progress pictures.</summary>
    public static string TurnFacts(string userId) => $"facts:{userId}";

    /// <summary>What the child's device is doing now (online, listening, thinking, speaking), gone when it disconnects.</summary>
    public static string Presence(string userId) => $"presence:{userId}";

    /// <summary>Each of a child's devices' state and last-seen time (hash, fields <see cref="DevicePresenceFields"/>).</summary>
    public static string DevicePresence(string userId) => $"device-presence:{userId}";

    /// <summary>The timings of one turn (hash), for the debug view.</summary>
    public static string TurnTiming(string turnId) => $"turn-timing:{turnId}";

    /// <summary>
    /// The sessions with a record (sorted set: session id → when its gateway last refreshed it, Unix ms), so the debug
    /// view lists them without scanning the keyspace. Entries older than a record's lifetime are stale and trimmed.
    /// </summary>
    public const string OpenSessions = "sessions:open";

    /// <summary>The latest turns' ids, newest first, for the debug view.</summary>
    public const string RecentTurns = "debug:turns";

    /// <summary>Counts sign-in attempts at one account (<c>device:{user}</c>, <c>parent:{id}</c>) from one address within the limiter's window.</summary>
    public static string FailedSignIns(string address, string account) => $"auth-failures:{address}:{account}";

    /// <summary>A device waiting to be paired (hash, fields <see cref="PairingFields"/>), by its six-digit code; expires with the code.</summary>
    public static string Pairing(string code) => $"pairing:{code}";

    /// <summary>
    /// A xiaozhi device checking in with an activation code (hash, fields <see cref="XiaozhiFields"/>), by its Device-Id and
    /// the hash of its Client-Id — the MAC is no secret, so another client naming it starts an activation of its own; expires with the code.
    /// </summary>
    public static string XiaozhiActivation(string deviceId, string clientHash) => $"xiaozhi:activation:{deviceId}:{clientHash}";

    /// <summary>The child a xiaozhi device is bound to and its device secret's id (hash, fields <see cref="XiaozhiFields"/>), by its Device-Id.</summary>
    public static string XiaozhiBinding(string deviceId) => $"xiaozhi:binding:{deviceId}";

    /// <summary>A newly bound xiaozhi device's secret, kept only until its OTA check-in has had time to fetch it.</summary>
    public static string XiaozhiToken(string deviceId) => $"xiaozhi:token:{deviceId}";

    /// <summary>A parent's token signed out before it expired (by its SHA-256 fingerprint), kept until it would have expired.</summary>
    public static string SignedOutToken(string fingerprint) => $"auth:signed-out:{fingerprint}";

    /// <summary>Set when a device aborts a turn, for a worker that starts the turn only after the abort was announced.</summary>
    public static string TurnAborted(string turnId) => $"aborted:{turnId}";

    /// <summary>How long an abort is remembered: longer than any turn may run.</summary>
    public static readonly TimeSpan AbortMemory = TimeSpan.FromMinutes(5);

    /// <summary>The session an <c>audio:</c> or <c>response:</c> key belongs to, or null when the key is not one of ours.</summary>
    public static string? SessionOf(string audioKey)
    {
        var parts = audioKey.Split(':');
        return parts.Length == 3 && parts[0] is "audio" or "response" && parts[1].Length > 0 ? parts[1] : null;
    }

    /// <summary>Whether <paramref name="key"/> is reply audio of that session (<c>response:{session_id}:{uuid}</c>), the only audio its relay reads.</summary>
    public static bool IsReplyAudioOf(string key, string sessionId) =>
        key.StartsWith(ReplyAudioPrefix, StringComparison.Ordinal) && SessionOf(key) == sessionId;

    /// <summary>A turn is named after its utterance: the uuid of <c>audio:{session_id}:{uuid}</c>.</summary>
    public static string TurnIdOf(string audioKey) => audioKey[(audioKey.LastIndexOf(':') + 1)..];

    /// <summary>How long utterance and reply audio live if nobody deletes them (the seed's 60 s).</summary>
    public static readonly TimeSpan AudioLifetime = TimeSpan.FromSeconds(60);
}
