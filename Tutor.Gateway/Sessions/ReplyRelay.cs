using System.Diagnostics;
using System.Threading.Channels;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Diagnostics;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Gateway.Diagnostics;

namespace Tutor.Gateway.Sessions;

/// <summary>
/// The per-session response handler of the seed: listens on <c>responses:{session_id}</c>, fetches each reply part's
/// audio, deletes the key and hands the part to the connection's <see cref="ReplyPlayer"/>. Events are handled one at a
/// time, in the order published; events of turns the device aborted are dropped (their audio deleted unheard).
/// </summary>
public sealed class ReplyRelay(IConnectionMultiplexer redis, GatewayTelemetry telemetry, ILogger<ReplyRelay> logger)
{
    /// <summary>Subscribes before returning, so nothing published after this call is missed; stops when <paramref name="cancellationToken"/> fires.</summary>
    public async Task<Task> StartAsync(DeviceSession session, ReplyPlayer player, TurnTracker turns, CancellationToken cancellationToken)
    {
        var channel = RedisChannel.Literal(Channels.Responses(session.SessionId));
        var queue = await redis.GetSubscriber().SubscribeAsync(channel).WaitAsync(cancellationToken);
        return RelayAsync(session, player, turns, queue, cancellationToken);
    }

    private async Task RelayAsync(DeviceSession session, ReplyPlayer player, TurnTracker turns, ChannelMessageQueue queue, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var message = await queue.ReadAsync(cancellationToken);
                var sessionEvent = TutorJson.TryDeserialize<SessionEvent>(message.Message);
                if (sessionEvent?.TurnId is null)
                {
                    logger.LogWarning("Ignored a malformed event on {Channel}", message.Channel);
                    continue;
                }

                try
                {
                    await RelayAsync(session, player, turns, sessionEvent, cancellationToken);
                }
                catch (Exception ex) when (ex.IsRedisFailure())
                {
                    // One lost part must not end the relay: the rest of this reply and the next ones still come.
                    RedisFailures.Record(logger, ex, "relaying a reply event");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }
        finally
        {
            await queue.UnsubscribeAsync();
        }
    }

    private async Task RelayAsync(DeviceSession session, ReplyPlayer player, TurnTracker turns, SessionEvent sessionEvent, CancellationToken cancellationToken)
    {
        var turnId = sessionEvent.TurnId!;
        turns.Heard(turnId, last: sessionEvent.Type is SessionEventTypes.ReplyEnd or SessionEventTypes.Error);
        if (!turns.IsFirst(turnId, sessionEvent.Type, sessionEvent.Sequence ?? 0))
        {
            logger.LogInformation("Event {Type} {Sequence} of turn {TurnId} came again (its worker was replaced); dropped",
                sessionEvent.Type, sessionEvent.Sequence, turnId);
            if (sessionEvent.AudioKey is not null && RedisKeys.SessionOf(sessionEvent.AudioKey) == session.SessionId)
            {
                await redis.GetDatabase().KeyDeleteAsync(sessionEvent.AudioKey).WaitAsync(cancellationToken);
            }
            return;
        }
        switch (sessionEvent.Type)
        {
            case SessionEventTypes.Transcript when sessionEvent.Text is not null:
                if (!turns.IsAborted(turnId)) player.Say(turnId, DeviceMessage.Heard(sessionEvent.Text));
                break;
            case SessionEventTypes.AudioResponse when sessionEvent.AudioKey is not null:
                await TakeAudioAsync(session, player, turns, sessionEvent, cancellationToken);
                break;
            case SessionEventTypes.ReplyEnd:
                player.EndTurn(turnId);
                break;
            case SessionEventTypes.Error:
                if (turns.IsAborted(turnId)) break;
                telemetry.DeviceErrors.Add(1, new KeyValuePair<string, object?>("code", sessionEvent.Code));
                player.Say(turnId, DeviceMessage.Error(sessionEvent.Code ?? DeviceErrorCodes.TurnFailed, sessionEvent.Message ?? "The tutor could not answer."));
                player.EndTurn(turnId);
                break;
            default:
                logger.LogWarning("Ignored an event of type {Type} for session {SessionId}", sessionEvent.Type, session.SessionId);
                break;
        }
    }

    private async Task TakeAudioAsync(DeviceSession session, ReplyPlayer player, TurnTracker turns, SessionEvent part, CancellationToken cancellationToken)
    {
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("reply deliver", ActivityKind.Consumer,
            TraceContext.Parse(part.TraceParent));
        activity?.SetTag("tutor.session_id", session.SessionId);
        activity?.SetTag("tutor.turn_id", part.TurnId);
        activity?.SetTag("tutor.audio_key", part.AudioKey);
        activity?.SetTag("tutor.sequence", part.Sequence);

        // Only this session's reply keys: a confused or hostile publisher must not make us read another family's audio.
        if (RedisKeys.SessionOf(part.AudioKey!) != session.SessionId || !part.AudioKey!.StartsWith("response:", StringComparison.Ordinal))
        {
            logger.LogWarning("Refused reply key {AudioKey} announced for session {SessionId}", part.AudioKey, session.SessionId);
            return;
        }

        var db = redis.GetDatabase();
        var audio = await db.StringGetAsync(part.AudioKey).WaitAsync(cancellationToken);
        // Held in memory from here until played: the key goes now, so no reply audio outlives its delivery in Redis.
        await db.KeyDeleteAsync(part.AudioKey).WaitAsync(cancellationToken);
        if (audio.IsNull)
        {
            telemetry.RepliesMissing.Add(1);
            logger.LogWarning("Reply audio {AudioKey} expired before it could be delivered", part.AudioKey);
            activity?.SetStatus(ActivityStatusCode.Error, "reply audio expired");
            return;
        }
        if (turns.IsAborted(part.TurnId!))
        {
            activity?.SetTag("tutor.aborted", true);
            return;
        }

        player.Speak(part.TurnId!, part.Text, (byte[])audio!);
        telemetry.RepliesDelivered.Add(1);
        logger.LogDebug("Reply part {Sequence} of turn {TurnId} ({Bytes} bytes) queued for session {SessionId}",
            part.Sequence, part.TurnId, ((byte[])audio!).Length, session.SessionId);
    }
}
