using Tutor.Contracts.Redis;
using Tutor.Gateway.Families;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Security;

/// <summary>A signed-out token's fingerprint is kept exactly as long as the token could still be used.</summary>
public sealed class SignedOutTokensTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task A_token_is_remembered_until_it_expires_and_one_expiring_now_or_already_expired_is_not_stored()
    {
        var tokens = new SignedOutTokens(_redis.Connection, new FixedClock(Now));

        await tokens.SignOutAsync("live", Now.AddMinutes(10), CancellationToken.None);
        await tokens.SignOutAsync("expiring-now", Now, CancellationToken.None);
        await tokens.SignOutAsync("expired", Now.AddMinutes(-1), CancellationToken.None);

        Assert.True(await tokens.IsSignedOutAsync("live", CancellationToken.None));
        var ttl = await _redis.Database.KeyTimeToLiveAsync(RedisKeys.SignedOutToken("live"));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.False(await tokens.IsSignedOutAsync("expiring-now", CancellationToken.None));
        Assert.False(await tokens.IsSignedOutAsync("expired", CancellationToken.None));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
