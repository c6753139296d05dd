using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Families;

/// <summary>
/// Counts sign-in attempts in Redis, so every gateway sees them, per (address, account): a guesser of one account is
/// turned away without locking out the other devices and parents behind the same address (a home NAT, a proxy). The
/// address is the client's as <c>UseForwardedHeaders</c> resolved it from a known proxy.
/// </summary>
public sealed class SignInThrottle(IConnectionMultiplexer redis, IOptions<FamiliesOptions> options)
{
    // One script, so a counter never exists without its expiry and concurrent attempts are counted one by one.
    private static readonly LuaScript Count = LuaScript.Prepare("""
        local count = redis.call('INCR', @key)
        if count == 1 or redis.call('PTTL', @key) < 0 then redis.call('PEXPIRE', @key, @window) end
        return count
        """);

    private static readonly LuaScript Forgive = LuaScript.Prepare("""
        if redis.call('GET', @key) then return redis.call('DECR', @key) end
        return 0
        """);

    /// <summary>
    /// Counts one attempt (or failure) against (<paramref name="address"/>, <paramref name="account"/>) and says whether it
    /// is still within <see cref="FamiliesOptions.MaxFailedSignIns"/> for the window.
    /// </summary>
    public Task<bool> TryCountAsync(string address, string account, CancellationToken cancellationToken) =>
        TryCountAsync(address, account, options.Value.MaxFailedSignIns, options.Value.FailureWindow, cancellationToken);

    /// <summary>The same with a limit of its own: <paramref name="limit"/> per <paramref name="window"/>.</summary>
    public async Task<bool> TryCountAsync(string address, string account, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        var count = (long)await redis.GetDatabase().ScriptEvaluateAsync(Count, new
        {
            key = (RedisKey)RedisKeys.FailedSignIns(address, account),
            window = (long)window.TotalMilliseconds,
        }).WaitAsync(cancellationToken);
        return count <= limit;
    }

    /// <summary>Takes back an attempt counted before its credentials were checked, once they turned out right.</summary>
    public Task ForgiveAsync(string address, string account, CancellationToken cancellationToken) =>
        redis.GetDatabase().ScriptEvaluateAsync(Forgive, new { key = (RedisKey)RedisKeys.FailedSignIns(address, account) }).WaitAsync(cancellationToken);
}
