using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Turns;

/// <summary>
/// Pub/sub delivers every announcement to every worker; the first to set the claim key takes the turn, the others skip it.
/// </summary>
public sealed class TurnClaims(IConnectionMultiplexer redis, IOptions<TurnOptions> options)
{
    /// <summary>Who holds a claim: the host, the process and this worker instance (several may share a process in tests).</summary>
    public string WorkerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    public Task<bool> TryClaimAsync(string audioKey, CancellationToken cancellationToken) =>
        redis.GetDatabase()
            .StringSetAsync(RedisKeys.TurnClaim(audioKey), WorkerId, options.Value.ClaimLifetime, When.NotExists)
            .WaitAsync(cancellationToken);
}
