using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Families;
using Tutor.Gateway.Families;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>The profile cache in Redis against a profile source whose answers the test holds back.</summary>
public sealed class ProfileCacheTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task A_load_that_read_the_profile_before_a_revocation_cannot_cache_it_afterwards()
    {
        var source = new HeldSource(new ChildProfile("dana", "Dana", 7, "es", "en", "beginner", ["parent-of-dana"],
            [new DeviceSecret("dev-1", DeviceTokens.Hash("s"), DateTimeOffset.UtcNow)]));
        var store = new ProfileStore(_redis.Connection, source, Options.Create(new FamiliesOptions()), NullLogger<ProfileStore>.Instance);

        // A device's sign-in starts loading dana's profile; the source has read it but not yet answered.
        var signIn = store.FindAsync("dana", CancellationToken.None);
        await source.Reading.Task;
        // Meanwhile a parent revokes the secret.
        await store.UpdateDeviceSecretsAsync("dana", secrets => [.. secrets.Select(s => s with { Revoked = true })], CancellationToken.None);
        source.Answer();
        var stale = await signIn;

        Assert.False(stale!.DeviceSecrets[0].Revoked); // what the load read
        Assert.True((await store.FindAsync("dana", CancellationToken.None))!.DeviceSecrets[0].Revoked); // what the cache holds
    }

    /// <summary>Answers <see cref="FindAsync"/> with what it held when asked, but only once the test says so.</summary>
    private sealed class HeldSource(ChildProfile profile) : IProfileSource
    {
        private readonly TaskCompletionSource _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ChildProfile _profile = profile;

        public TaskCompletionSource Reading { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Answer() => _answer.TrySetResult();

        public async Task<ChildProfile?> FindAsync(string userId, CancellationToken cancellationToken)
        {
            var read = _profile;
            Reading.TrySetResult();
            await _answer.Task.WaitAsync(cancellationToken);
            return read;
        }

        public Task<IReadOnlyList<ChildProfile>> ChildrenOfAsync(string parentId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ChildProfile>>(_profile.IsParent(parentId) ? [_profile] : []);

        public Task<ChildProfile> SaveChildAsync(ChildProfile child, bool create, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteChildAsync(string userId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ChildProfile> UpdateDeviceSecretsAsync(string userId, Func<IReadOnlyList<DeviceSecret>, IReadOnlyList<DeviceSecret>> change,
            CancellationToken cancellationToken)
        {
            _profile = _profile with { DeviceSecrets = change(_profile.DeviceSecrets) };
            return Task.FromResult(_profile);
        }
    }
}
