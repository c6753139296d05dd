using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Families;

/// <summary>Counts refused device sign-ins per address in Redis, so every gateway sees them, and turns a guesser away.</summary>
public sealed class SignInThrottle(IConnectionMultiplexer redis, IOptions<FamiliesOptions> options)
{
    public async Task<bool> IsBlockedAsync(string address, CancellationToken cancellationToken)
    {
        var failures = await redis.GetDatabase().StringGetAsync(RedisKeys.FailedSignIns(address)).WaitAsync(cancellationToken);
        return failures.TryParse(out long count) && count >= options.Value.MaxFailedSignIns;
    }

    public async Task RecordFailureAsync(string address, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var key = RedisKeys.FailedSignIns(address);
        var count = await db.StringIncrementAsync(key).WaitAsync(cancellationToken);
        if (count == 1) await db.KeyExpireAsync(key, options.Value.FailureWindow).WaitAsync(cancellationToken);
    }
}
