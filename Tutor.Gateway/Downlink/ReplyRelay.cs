using System.Diagnostics;
using System.Threading.Channels;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Diagnostics;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Gateway.Diagnostics;
using Tutor.Gateway.Sessions;

namespace Tutor.Gateway.Downlink;

/// <summary>
/// The per-session response handler of the seed: listens on <c>responses:{session_id}</c>, fetches each reply part's
/// audio, deletes the key and hands the part to the connection's <see cref="ReplyPlayer"/>. Events are handled one at a
/// time, in the order published; events of turns the device aborted are dropped (their audio deleted unheard).
/// A message names its entry in the session's reply stream, and the relay reads the stream from the last entry it
/// relayed: a message lost while the subscription was down (Redis reconnecting) is read there — on the next message, or
/// within a second while a turn still awaits its reply.
/// </summary>
public sealed class ReplyRelay(IConnectionMultiplexer redis, SessionStore sessions, GatewayTelemetry telemetry, ILogger<ReplyRelay> logger)
{
    private static readonly TimeSpan CatchUpInterval = TimeSpan.FromSeconds(1);

    /// <summary>Subscribes before returning, so nothing published after this call is missed; stops when <paramref name="cancellationToken"/> fires.</summary>
    public async Task<Task> StartAsync(DeviceSession session, ReplyPlayer player, TurnTracker turns, CancellationToken cancellationToken)
    {
        var channel = Channels.Responses(session.SessionId);
        var wakes = Channel.CreateUnbounded<RedisValue>(new UnboundedChannelOptions { SingleReader = true });
        var subscription = await ChannelSubscription.SubscribeAsync(redis, channel, message => wakes.Writer.TryWrite(message), logger, cancellationToken);
        // A resumed session may have replies waiting already: read them at once.
        if (session.Resumed) wakes.Writer.TryWrite(RedisValue.Null);
        var ticks = TickWhileAwaitingAsync(turns, wakes.Writer, cancellationToken);
        return RelayAsync(session, player, turns, channel, subscription, wakes.Reader, ticks, cancellationToken);
    }

    /// <summary>While a turn awaits its reply, looks at the stream every <see cref="CatchUpInterval"/> by itself.</summary>
    private static async Task TickWhileAwaitingAsync(TurnTracker turns, ChannelWriter<RedisValue> wakes, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(CatchUpInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (turns.Awaiting) wakes.TryWrite(RedisValue.Null);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RelayAsync(DeviceSession session, ReplyPlayer player, TurnTracker turns, string channel, ChannelSubscription subscription,
        ChannelReader<RedisValue> wakes, Task ticks, CancellationToken cancellationToken)
    {
        var stream = RedisKeys.ReplyStream(session.SessionId);
        var lastRelayed = session.Delivered;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var message = await wakes.ReadAsync(cancellationToken);
                try
                {
                    if (message.IsNull)
                    {
                        lastRelayed = await CatchUpAsync(session, player, turns, stream, lastRelayed, cancellationToken);
                        continue;
                    }
                    var sessionEvent = TutorJson.TryDeserialize<SessionEvent>(message);
                    if (sessionEvent?.TurnId is null)
                    {
                        logger.MalformedEvent(channel);
                    }
                    else if (sessionEvent.StreamId is null)
                    {
                        // A publisher that speaks only the seed's shape: relayed as it comes.
                        await RelayAsync(session, player, turns, sessionEvent, cancellationToken);
                    }
                    else if (StreamIds.IsAfter(sessionEvent.StreamId, lastRelayed))
                    {
                        lastRelayed = await CatchUpAsync(session, player, turns, stream, lastRelayed, cancellationToken);
                    }
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
        finally
        {
            await ticks;
            await subscription.DisposeAsync();
        }
    }

    /// <summary>Relays, in order, every event of the session's stream after <paramref name="lastRelayed"/>; returns the new last one.</summary>
    private async Task<string> CatchUpAsync(DeviceSession session, ReplyPlayer player, TurnTracker turns, string stream, string lastRelayed,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            var entries = await redis.GetDatabase().StreamRangeAsync(stream, $"({lastRelayed}", "+", 100).WaitAsync(cancellationToken);
            foreach (var entry in entries)
            {
                lastRelayed = entry.Id.ToString();
                if (TutorJson.TryDeserialize<SessionEvent>(entry[RedisKeys.ReplyStreamField]) is { TurnId: not null } sessionEvent)
                {
                    await RelayAsync(session, player, turns, sessionEvent, cancellationToken);
                }
                sessions.MarkDelivered(session, lastRelayed);
            }
            if (entries.Length < 100) return lastRelayed;
        }
    }

    private async Task RelayAsync(DeviceSession session, ReplyPlayer player, TurnTracker turns, SessionEvent sessionEvent, CancellationToken cancellationToken)
    {
        var turnId = sessionEvent.TurnId!;
        var first = turns.IsFirst(turnId, sessionEvent.Type, sessionEvent.Sequence ?? 0);
        turns.Heard(turnId, last: sessionEvent.Type is SessionEventTypes.ReplyEnd or SessionEventTypes.Error);
        if (!first)
        {
            logger.LateEvent(sessionEvent.Type, sessionEvent.Sequence, turnId);
            if (sessionEvent.AudioKey is not null && RedisKeys.IsReplyAudioOf(sessionEvent.AudioKey, session.SessionId))
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
                turns.Judged(turnId, sessionEvent.LessonId, sessionEvent.StepId, sessionEvent.Outcome);
                player.EndTurn(turnId);
                break;
            case SessionEventTypes.Error:
                if (turns.IsAborted(turnId)) break;
                turns.Failed(turnId, sessionEvent.Code ?? DeviceErrorCodes.TurnFailed);
                telemetry.DeviceErrors.Add(1, new KeyValuePair<string, object?>("code", sessionEvent.Code));
                player.Say(turnId, DeviceMessage.Error(sessionEvent.Code ?? DeviceErrorCodes.TurnFailed, sessionEvent.Message ?? "The tutor could not answer."));
                player.EndTurn(turnId);
                break;
            default:
                logger.UnknownEvent(sessionEvent.Type, session.SessionId);
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
        if (!RedisKeys.IsReplyAudioOf(part.AudioKey!, session.SessionId))
        {
            logger.ForeignReplyKey(part.AudioKey ?? "(none)", session.SessionId);
            return;
        }

        var db = redis.GetDatabase();
        var audio = await db.StringGetAsync(part.AudioKey).WaitAsync(cancellationToken);
        // Held in memory from here until played: the key goes now, so no reply audio outlives its delivery in Redis.
        await db.KeyDeleteAsync(part.AudioKey).WaitAsync(cancellationToken);
        if (audio.IsNull)
        {
            telemetry.RepliesMissing.Add(1);
            logger.ReplyExpired(part.AudioKey!);
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
        logger.ReplyQueued(part.Sequence, part.TurnId!, ((byte[])audio!).Length, session.SessionId);
    }
}
