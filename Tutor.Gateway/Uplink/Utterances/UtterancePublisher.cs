using System.Diagnostics;
using StackExchange.Redis;
using Tutor.Contracts.Diagnostics;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Gateway.Diagnostics;
using Tutor.Gateway.Sessions;

namespace Tutor.Gateway.Uplink.Utterances;

/// <summary>Stores a finished utterance in Redis and announces it to the workers, exactly as the seed does.</summary>
public sealed class UtterancePublisher(IConnectionMultiplexer redis, GatewayTelemetry telemetry, ILogger<UtterancePublisher> logger)
{
    public async Task PublishAsync(DeviceSession session, string audioKey, byte[] audio, CancellationToken cancellationToken)
    {
        // Under the turn's trace (TurnTracker.Started): the first stage of its timeline.
        using var activity = GatewayTelemetry.ActivitySource.StartActivity(TurnStages.EndOfUtterance, ActivityKind.Producer);
        activity?.SetTag("tutor.session_id", session.SessionId);
        activity?.SetTag("tutor.user_id", session.UserId);
        activity?.SetTag("messaging.destination.name", Channels.AudioProcessing);

        var db = redis.GetDatabase();
        await db.StringSetAsync(audioKey, audio, RedisKeys.AudioLifetime).WaitAsync(cancellationToken);
        var announcement = new UtteranceAnnouncement(session.SessionId, audioKey, TraceContext.Current());
        // The queue the workers take from (one consumer group: each utterance to one worker); the announcement wakes them.
        await db.StreamAddAsync(Channels.PendingUtterances, PendingUtteranceFields.Of(announcement),
            maxLength: 100_000, useApproximateMaxLength: true).WaitAsync(cancellationToken);
        var receivers = await db.PublishAsync(RedisChannel.Literal(Channels.AudioProcessing), TutorJson.Serialize(announcement))
            .WaitAsync(cancellationToken);

        var turnId = RedisKeys.TurnIdOf(audioKey);
        TurnTimingFields.Mark(db, turnId, TurnTimingFields.UtteranceEnded);
        TurnTimingFields.Mark(db, turnId, TurnTimingFields.SessionId, session.SessionId);
        TurnTimingFields.Mark(db, turnId, TurnTimingFields.UserId, session.UserId);
        TurnTimingFields.Mark(db, turnId, TurnTimingFields.Gateway, NodeIds.Process);
        db.ListLeftPush(RedisKeys.RecentTurns, turnId, flags: CommandFlags.FireAndForget);
        db.ListTrim(RedisKeys.RecentTurns, 0, TurnTimingFields.Kept - 1, CommandFlags.FireAndForget);

        var seconds = audio.Length / (2.0 * session.Uplink.Channels * session.Uplink.SampleRate);
        telemetry.UtterancesAnnounced.Add(1);
        telemetry.UtteranceSeconds.Record(seconds);
        activity?.SetTag("tutor.audio_key", audioKey);
        activity?.SetTag("tutor.workers_listening", receivers);
        if (receivers == 0)
        {
            logger.NoWorkerListening(audioKey, Channels.AudioProcessing);
        }
        else
        {
            logger.Announced(audioKey, seconds, receivers);
        }

    }
}
