using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Turns;

/// <summary>
/// Pub/sub keeps nothing: an announcement no worker heard is lost, and so is a turn whose worker died. Every accepted
/// utterance is therefore also recorded in <c>audio:pending</c>; this sweep takes again the ones that nobody holds and
/// nobody finished, while their audio is still there, and forgets the finished ones.
/// </summary>
public sealed class PendingSweeper(IConnectionMultiplexer redis, TurnClaims claims, TurnRunner runner, IOptions<TurnOptions> options,
    ILogger<PendingSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (RedisException ex)
                {
                    logger.LogWarning(ex, "Sweep of {Stream} failed; trying again", Channels.PendingUtterances);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        var db = redis.GetDatabase();
        var olderThan = DateTimeOffset.UtcNow - options.Value.SweepAge;
        var entries = await db.StreamRangeAsync(Channels.PendingUtterances, "-", olderThan.ToUnixTimeMilliseconds().ToString(), 200);
        foreach (var entry in entries)
        {
            var audioKey = entry["audio_key"].ToString();
            switch (await claims.StateAsync(audioKey))
            {
                case ClaimState.Done:
                    await db.StreamDeleteAsync(Channels.PendingUtterances, [entry.Id]);
                    break;
                case ClaimState.Free when !await db.KeyExistsAsync(audioKey):
                    logger.LogWarning("Utterance {AudioKey} was never taken and its audio has expired", audioKey);
                    await db.StreamDeleteAsync(Channels.PendingUtterances, [entry.Id]);
                    break;
                case ClaimState.Free:
                    logger.LogWarning("Utterance {AudioKey} was not taken or its worker stopped; taking it again", audioKey);
                    var traceParent = entry["traceparent"].ToString();
                    await runner.OfferAsync(new UtteranceAnnouncement(entry["session_id"].ToString(), audioKey,
                        traceParent.Length > 0 ? traceParent : null), entry.Id.ToString(), stoppingToken);
                    break;
            }
        }
    }
}
