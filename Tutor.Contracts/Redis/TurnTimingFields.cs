using StackExchange.Redis;

namespace Tutor.Contracts.Redis;

/// <summary>
/// The fields of <see cref="RedisKeys.TurnTiming"/>: when each stage of a turn was reached (Unix milliseconds) and who
/// took it. The gateway writes the ends, the worker the middle; the debug view reads them.
/// </summary>
public static class TurnTimingFields
{
    public const string SessionId = "session_id";
    public const string UserId = "user_id";
    public const string Gateway = "gateway";
    public const string Worker = "worker";
    /// <summary>The utterance ended and was announced.</summary>
    public const string UtteranceEnded = "utterance_ended";
    /// <summary>A worker took the utterance off the queue.</summary>
    public const string Taken = "taken";
    /// <summary>The child's words were known.</summary>
    public const string Transcribed = "transcribed";
    /// <summary>The first sentence of the reply was written.</summary>
    public const string ReplyStarted = "reply_started";
    /// <summary>The first frame of the reply's audio went to the device.</summary>
    public const string FirstAudioSent = "first_audio_sent";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    public const int Kept = 200;

    /// <summary>Records that <paramref name="field"/> happened now; fire-and-forget, as timings must never slow a turn.</summary>
    public static void Mark(IDatabase db, string turnId, string field, string? value = null)
    {
        var key = RedisKeys.TurnTiming(turnId);
        db.HashSet(key, field, value ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(), flags: CommandFlags.FireAndForget);
        db.KeyExpire(key, Lifetime, CommandFlags.FireAndForget);
    }
}
