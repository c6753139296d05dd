using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Redis;
using Tutor.Workers.Diagnostics;

namespace Tutor.Workers.Turns;

/// <summary>
/// Takes utterances off the queue as fast as this worker has room for them. The seed's announcement on
/// <c>audio:processing</c> wakes it at once; the queue itself (<see cref="UtteranceQueue"/>) decides which worker gets
/// each utterance, so exactly one does. Now and then it also takes over turns whose worker stopped renewing its lease.
/// A Redis outage pauses it; it never ends it.
/// </summary>
public sealed class TurnIntake(IConnectionMultiplexer redis, UtteranceQueue queue, TurnRunner runner, WorkerTelemetry telemetry,
    IOptions<TurnOptions> options, ILogger<TurnIntake> logger) : BackgroundService
{
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The seed's announcement only wakes the intake: one missed while Redis reconnects costs at most a poll interval.
        var listening = redis.ListenUntilStoppedAsync(Channels.AudioProcessing, _ => Wake(), logger, stoppingToken);
        try
        {
            var ready = false;
            var takeOverDue = DateTime.UtcNow;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (!ready)
                    {
                        // Stryker disable once statement : the first read makes stream and group too (on NOGROUP); this only spares it a round
                        await queue.EnsureGroupAsync();
                        ready = true;
                        logger.Taking(queue.WorkerId, Channels.PendingUtterances, Channels.AudioProcessing, options.Value.MaxConcurrentTurns);
                    }
                    await runner.Slots.WaitForFreeAsync(stoppingToken);
                    var taken = 0;
                    // Stryker disable once equality : the same instant either way
                    if (DateTime.UtcNow >= takeOverDue)
                    {
                        takeOverDue = DateTime.UtcNow + options.Value.ClaimLease / 2;
                        foreach (var entry in await queue.TakeOverAsync(runner.Slots.Free, stoppingToken))
                        {
                            runner.Run(entry, takenOver: true, stoppingToken);
                            // Stryker disable once update,statement : only whether the next read waits a poll first, and one does not wait when the other finds nothing
                            taken++;
                        }
                    }
                    var free = runner.Slots.Free;
                    if (free > 0) // never a read of 0: Redis reads everything then
                    {
                        var entries = await queue.TakeAsync(free, stoppingToken);
                        foreach (var entry in entries) runner.Run(entry, takenOver: false, stoppingToken);
                        // Stryker disable once assignment : only whether the next read waits a poll first (see above)
                        taken += entries.Length;
                    }
                    // Took some: there may be more, read again at once. Took none: wait for an announcement or the poll.
                    if (taken == 0)
                    {
                        telemetry.QueueDepth = await queue.DepthAsync();
                        await _wake.WaitAsync(options.Value.PollInterval, stoppingToken);
                    }
                }
                catch (Exception ex) when (ex.IsRedisFailure())
                {
                    RedisFailures.Record(logger, ex, "taking utterances off the queue");
                    await Task.Delay(Backoff, stoppingToken);
                }
                // Stryker disable once all : the last resort against a fault no test can make happen (a bug here); Redis's are caught above
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Nothing but the worker's stop ends the intake: a worker that silently stops taking turns leaves them
                    // to its lease and the other workers; one that logs this every second is seen and still takes turns.
                    logger.IntakeFailed(ex);
                    await Task.Delay(Backoff, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Stryker disable once statement : only order; the listener ends on the same token and only wakes the loop
            await listening;
            await runner.DrainAsync();
        }
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }
}
