using System.Diagnostics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Redis;
using Tutor.Workers.Diagnostics;

namespace Tutor.Workers.Turns;

/// <summary>
/// Runs the turns this worker took off the queue, each in a slot: renews the turn's lease while it runs, finishes the
/// entry when the turn is over — or hands it back when this worker stops first, and lets it go when another worker took
/// it over (this worker then publishes nothing more for it).
/// </summary>
public sealed class TurnRunner(UtteranceQueue queue, TurnProcessor processor, WorkerTelemetry telemetry, IOptions<TurnOptions> options,
    ILogger<TurnRunner> logger)
{
    private readonly HashSet<Task> _running = [];

    public TurnSlots Slots { get; } = new(options.Value.MaxConcurrentTurns);

    /// <summary>Starts the turn of an entry taken off the queue; the caller took no more entries than there are free slots.</summary>
    /// <param name="takenOver">The entry's first worker stopped; it was taken over from it.</param>
    public void Run(StreamEntry entry, bool takenOver, CancellationToken stoppingToken)
    {
        var slot = Slots.Take();
        var turn = RunAsync(entry, slot, takenOver, stoppingToken);
        lock (_running) _running.Add(turn);
        _ = turn.ContinueWith(Forget, TaskScheduler.Default);
    }

    // Stryker disable once all : only memory (the set would keep finished turns; DrainAsync awaits them at once)
    private void Forget(Task done)
    {
        lock (_running) _running.Remove(done);
    }

    /// <summary>Waits for the turns still running (when the worker stops).</summary>
    public Task DrainAsync()
    {
        Task[] unfinished;
        lock (_running) unfinished = [.. _running];
        return Task.WhenAll(unfinished);
    }

    private async Task RunAsync(StreamEntry entry, TurnSlot slot, bool takenOver, CancellationToken stoppingToken)
    {
        // Stryker disable once statement : only which thread runs the turn's first steps (the intake's loop, or the pool)
        await Task.Yield();
        using var _ = slot;
        var waited = DateTimeOffset.UtcNow - StreamIds.AddedAt(entry.Id);
        telemetry.QueueWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("taken_over", takenOver));
        try
        {
            if (PendingUtteranceFields.Read(entry) is not { } announcement)
            {
                logger.MalformedEntry(entry.Id!, Channels.PendingUtterances);
                await queue.CompleteAsync(entry.Id);
                return;
            }
            if (takenOver) logger.TakenOver(announcement.AudioKey);

            // Leaving: this worker stops, or another worker has taken the turn over. Either way this one publishes no more.
            using var leaving = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            using var renewing = new CancellationTokenSource();
            var lease = KeepLeaseAsync(entry.Id, leaving, renewing.Token);
            bool over;
            telemetry.InFlight.Add(1);
            try
            {
                // Stryker disable once equality : the same instant either way
                over = !takenOver && waited > options.Value.MaxQueueWait
                    ? await processor.RefuseBusyAsync(announcement, waited)
                    : await processor.ProcessAsync(announcement, entry.Id.ToString(), queue.WorkerId, slot, leaving.Token);
            }
            finally
            {
                telemetry.InFlight.Add(-1);
                await renewing.CancelAsync();
                // Stryker disable once statement : only order; the renewal stops on its own token and touches nothing of the turn
                await lease;
            }

            if (over && !await queue.CompleteAsync(entry.Id))
            {
                // Stryker disable once statement : log only (the take-over's worker answers; this one's finish did not count)
                logger.FinishedAfterTakeOver(announcement.AudioKey);
            }
            // Stryker disable once logical : a turn not over was left (taken over: handing back acts only for the holder; lease lost: it may be taken at once)
            else if (!over && stoppingToken.IsCancellationRequested)
            {
                await queue.HandBackAsync(entry.Id);
            }
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            // The entry stays in the queue: its lease runs out and another worker (or this one) takes it again.
            // Stryker disable once statement,string : log and failure count only; leaving the entry to its lease is the catch itself
            RedisFailures.Record(logger, ex, "finishing a turn (it will be taken again when its lease runs out)");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Stryker disable once statement : log only; what matters is that a fault outside the pipeline ends here, not the worker
            logger.FailedOutside(ex, entry.Id!);
        }
    }

    /// <summary>
    /// Renews the lease every third of its length until <paramref name="stop"/>. Renewal goes on through Redis errors; when
    /// the lease is found taken over, or could not be renewed for a whole lease, the turn is told to leave.
    /// </summary>
    private async Task KeepLeaseAsync(RedisValue entryId, CancellationTokenSource leave, CancellationToken stop)
    {
        var length = options.Value.ClaimLease;
        using var timer = new PeriodicTimer(length / 3);
        var renewed = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    if (await queue.RenewAsync(entryId))
                    {
                        renewed = Stopwatch.GetTimestamp();
                        continue;
                    }
                    logger.LeaseTaken(entryId!);
                }
                catch (Exception ex) when (ex.IsRedisFailure())
                {
                    RedisFailures.Record(logger, ex, "renewing a turn's lease");
                    // Stryker disable once equality : the same instant either way
                    if (Stopwatch.GetElapsedTime(renewed) < length) continue;
                    // Stryker disable once statement : log only (the lease lost is counted and acted on below)
                    logger.LeaseLost(ex, entryId!, length);
                }
                telemetry.LeasesLost.Add(1);
                await leave.CancelAsync();
                // Stryker disable once statement : the turn is leaving; the runner stops this loop as soon as it has left
                return;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
