using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Workers.Speech;
using Tutor.Workers.Publishing;

namespace Tutor.Workers.Announcements;

/// <summary>
/// Speaks what the gateway wants said that is not a turn's reply (a pairing code): one worker of the group takes each
/// entry of <c>announcements:pending</c>, synthesizes it with this worker's voice and publishes it into the session's
/// replies, where the gateway plays it like any reply. At most once: a worker that dies mid-way leaves the device with
/// the text it was also sent. Woken by <c>announcements:wake</c>, and looks every few seconds by itself.
/// </summary>
public sealed class Announcer(IConnectionMultiplexer redis, ITextToSpeech speech, ReplyPublisher replies, ILogger<Announcer> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(3);
    private readonly string _consumer = NodeIds.NewConsumer();
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = redis.ListenUntilStoppedAsync(Channels.AnnouncementsWake, _ => Wake(), logger, stoppingToken);
        var ready = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!ready) ready = await EnsureGroupAsync();
                var entries = await redis.GetDatabase().StreamReadGroupAsync(Channels.Announcements, AnnouncementFields.Group, _consumer, ">", count: 10);
                foreach (var entry in entries) await AnnounceAsync(entry, stoppingToken);
                if (entries.Length > 0) continue;
            }
            catch (Exception ex) when (ex.IsRedisFailure())
            {
                RedisFailures.Record(logger, ex, "reading announcements");
            }
            await _wake.WaitAsync(Poll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        await listening;
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    private async Task<bool> EnsureGroupAsync()
    {
        try
        {
            await redis.GetDatabase().StreamCreateConsumerGroupAsync(Channels.Announcements, AnnouncementFields.Group, "$", createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another worker made it.
        }
        return true;
    }

    private async Task AnnounceAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        try
        {
            string? sessionId = entry[AnnouncementFields.SessionId], turnId = entry[AnnouncementFields.TurnId], text = entry[AnnouncementFields.Text];
            if (sessionId is null || turnId is null || string.IsNullOrEmpty(text))
            {
                logger.MalformedAnnouncement(entry.Id!);
                return;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            var sequence = 0;
            string? sentence = text;
            await foreach (var pcm in DeviceSpeech.ToDeviceAsync(speech.SynthesizeAsync(text, entry[AnnouncementFields.Language], timeout.Token),
                               AudioParams.Pcm16Mono16k, timeout.Token))
            {
                await replies.PublishPartAsync(sessionId, turnId, sequence++, sentence, pcm, timeout.Token);
                sentence = null;
            }
            await replies.PublishAsync(sessionId, SessionEvent.ReplyEnd(turnId, outcome: "announced"), timeout.Token);
            logger.Announced(turnId, sessionId, sequence);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.AnnouncementFailed(ex, entry.Id!);
        }
        finally
        {
            await db.StreamAcknowledgeAsync(Channels.Announcements, AnnouncementFields.Group, entry.Id);
            await db.StreamDeleteAsync(Channels.Announcements, [entry.Id]);
        }
    }
}
