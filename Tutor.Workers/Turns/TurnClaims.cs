using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Turns;

/// <summary>
/// Pub/sub delivers every announcement to every worker; the first to set the claim key takes the turn, the others skip it.
/// While the turn runs the claim is a lease its worker renews; when it ends the claim stays, marked done, long enough to
/// refuse a late duplicate. A worker that dies lets its lease run out, and the turn can be taken again.
/// </summary>
public sealed class TurnClaims(IConnectionMultiplexer redis, IOptions<TurnOptions> options)
{
    private const string DonePrefix = "done:";

    /// <summary>Who holds a claim: the host, the process and this worker instance (several may share a process in tests).</summary>
    public string WorkerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    public Task<bool> TryClaimAsync(string audioKey, CancellationToken cancellationToken) =>
        redis.GetDatabase()
            .StringSetAsync(RedisKeys.TurnClaim(audioKey), WorkerId, options.Value.ClaimLease, When.NotExists)
            .WaitAsync(cancellationToken);

    /// <summary>Renews this worker's lease on the turn until <paramref name="cancellationToken"/> fires.</summary>
    public async Task KeepAsync(string audioKey, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.ClaimLease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await redis.GetDatabase().ScriptEvaluateAsync(
                    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0",
                    [RedisKeys.TurnClaim(audioKey)], [WorkerId, (long)options.Value.ClaimLease.TotalMilliseconds]);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The turn is over: the claim says so for a while, and the recorded utterance is no longer pending.</summary>
    public async Task CompleteAsync(string audioKey, string? pendingId)
    {
        var db = redis.GetDatabase();
        await db.StringSetAsync(RedisKeys.TurnClaim(audioKey), DonePrefix + WorkerId, options.Value.ClaimLifetime);
        if (pendingId is not null) await db.StreamDeleteAsync(Channels.PendingUtterances, [pendingId]);
    }

    /// <summary>This worker stops before the turn is over (it is shutting down): the turn is left for another.</summary>
    public Task ReleaseAsync(string audioKey) =>
        redis.GetDatabase().ScriptEvaluateAsync("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
            [RedisKeys.TurnClaim(audioKey)], [WorkerId]);

    /// <summary>Whether someone holds or has finished the turn.</summary>
    public async Task<ClaimState> StateAsync(string audioKey)
    {
        var claim = await redis.GetDatabase().StringGetAsync(RedisKeys.TurnClaim(audioKey));
        return claim.IsNullOrEmpty ? ClaimState.Free : claim.ToString().StartsWith(DonePrefix, StringComparison.Ordinal) ? ClaimState.Done : ClaimState.Held;
    }
}

public enum ClaimState { Free, Held, Done }
