using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Workers.Diagnostics;

namespace Tutor.Workers.Turns;

/// <summary>
/// Listens on <c>audio:processing</c>. Each announcement reaches every worker; a worker with a free slot claims it and
/// runs the turn, the others skip it.
/// </summary>
public sealed class UtteranceListener(
    IConnectionMultiplexer redis,
    TurnClaims claims,
    TurnProcessor processor,
    WorkerTelemetry telemetry,
    IOptions<TurnOptions> options,
    ILogger<UtteranceListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var slots = new SemaphoreSlim(options.Value.MaxConcurrentTurns);
        var running = new HashSet<Task>();
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Channels.AudioProcessing));
        logger.LogInformation("Worker {WorkerId} listening on {Channel} with {Slots} turn slots",
            claims.WorkerId, Channels.AudioProcessing, options.Value.MaxConcurrentTurns);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var message = await queue.ReadAsync(stoppingToken);
                var announcement = TutorJson.TryDeserialize<UtteranceAnnouncement>(message.Message);
                if (announcement?.SessionId is null || announcement.AudioKey is null
                    || RedisKeys.SessionOf(announcement.AudioKey) != announcement.SessionId)
                {
                    logger.LogWarning("Ignored a malformed announcement on {Channel}", Channels.AudioProcessing);
                    continue;
                }

                // Wait for a free slot before claiming, so that a busy worker leaves the turn to an idle one.
                await slots.WaitAsync(stoppingToken);
                var turn = TakeAsync(announcement, stoppingToken);
                lock (running) running.Add(turn);
                _ = turn.ContinueWith(done =>
                {
                    slots.Release();
                    lock (running) running.Remove(done);
                }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await queue.UnsubscribeAsync();
            Task[] unfinished;
            lock (running) unfinished = [.. running];
            await Task.WhenAll(unfinished);
        }
    }

    private async Task TakeAsync(UtteranceAnnouncement announcement, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            if (!await claims.TryClaimAsync(announcement.AudioKey, stoppingToken))
            {
                telemetry.ClaimsLost.Add(1);
                logger.LogDebug("Utterance {AudioKey} was taken by another worker", announcement.AudioKey);
                return;
            }

            telemetry.InFlight.Add(1);
            try
            {
                await processor.ProcessAsync(announcement, claims.WorkerId, stoppingToken);
            }
            finally
            {
                telemetry.InFlight.Add(-1);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Turn for {AudioKey} failed outside the pipeline", announcement.AudioKey);
        }
    }
}
