using Microsoft.Extensions.Options;
using Tutor.Contracts.Messages;
using Tutor.Workers.Diagnostics;

namespace Tutor.Workers.Turns;

/// <summary>
/// Runs the turns this worker takes, at most <see cref="TurnOptions.MaxConcurrentTurns"/> at once: claims each (so no
/// other worker runs it), renews the claim while it runs, and marks it done — or, when the worker stops first, lets it go
/// for another worker to take again.
/// </summary>
public sealed class TurnRunner(TurnClaims claims, TurnProcessor processor, WorkerTelemetry telemetry, IOptions<TurnOptions> options, ILogger<TurnRunner> logger)
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentTurns);
    private readonly HashSet<Task> _running = [];

    /// <summary>Waits for a free slot, then takes the turn in the background unless another worker has it.</summary>
    /// <param name="pendingId">The utterance's entry in the pending stream, when known.</param>
    public async Task OfferAsync(UtteranceAnnouncement announcement, string? pendingId, CancellationToken stoppingToken)
    {
        // A busy worker waits for a slot before claiming, which leaves the turn to an idle one.
        await _slots.WaitAsync(stoppingToken);
        var turn = TakeAsync(announcement, pendingId, stoppingToken);
        lock (_running) _running.Add(turn);
        _ = turn.ContinueWith(done =>
        {
            _slots.Release();
            lock (_running) _running.Remove(done);
        }, TaskScheduler.Default);
    }

    /// <summary>Waits for the turns still running (when the worker stops).</summary>
    public Task DrainAsync()
    {
        Task[] unfinished;
        lock (_running) unfinished = [.. _running];
        return Task.WhenAll(unfinished);
    }

    private async Task TakeAsync(UtteranceAnnouncement announcement, string? pendingId, CancellationToken stoppingToken)
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

            using var keeping = new CancellationTokenSource();
            var lease = claims.KeepAsync(announcement.AudioKey, keeping.Token);
            var over = false;
            telemetry.InFlight.Add(1);
            try
            {
                over = await processor.ProcessAsync(announcement, claims.WorkerId, stoppingToken);
            }
            finally
            {
                telemetry.InFlight.Add(-1);
                await keeping.CancelAsync();
                await lease;
                if (over) await claims.CompleteAsync(announcement.AudioKey, pendingId);
                else await claims.ReleaseAsync(announcement.AudioKey);
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
