using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Families;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Families;

/// <summary>
/// Profiles exactly as the seed looks users up: the Redis cache <c>user:{user_id}</c> first, else the source (Firestore
/// or the local directory), then cached with an expiry. Concurrent lookups of one user in this gateway share one
/// source call; "no such user" is cached briefly too.
/// </summary>
public sealed class ProfileStore(IConnectionMultiplexer redis, IProfileSource source, IOptions<FamiliesOptions> options, ILogger<ProfileStore> logger)
{
    private const string Missing = "missing";
    private readonly ConcurrentDictionary<string, Lazy<Task<ChildProfile?>>> _loading = new();

    public async Task<ChildProfile?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        var cached = await redis.GetDatabase().StringGetAsync(RedisKeys.ChildProfile(userId)).WaitAsync(cancellationToken);
        if (cached.HasValue)
        {
            return cached == Missing ? null : JsonSerializer.Deserialize<ChildProfile>((string)cached!, TutorJson.Options);
        }

        var load = _loading.GetOrAdd(userId, id => new Lazy<Task<ChildProfile?>>(() => LoadAsync(id)));
        try
        {
            return await load.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            _loading.TryRemove(new KeyValuePair<string, Lazy<Task<ChildProfile?>>>(userId, load));
        }
    }

    /// <summary>Changes the child's device secrets at the source, then caches the result, so a revoked secret stops working at once.</summary>
    public async Task<ChildProfile> UpdateDeviceSecretsAsync(string userId, Func<IReadOnlyList<DeviceSecret>, IReadOnlyList<DeviceSecret>> change,
        CancellationToken cancellationToken)
    {
        var saved = await source.UpdateDeviceSecretsAsync(userId, change, cancellationToken);
        await CacheAsync(userId, saved);
        return saved;
    }

    /// <summary>Adds or edits a child at the source, then caches the result, so every gateway sees the change at once.</summary>
    public async Task<ChildProfile> SaveChildAsync(ChildProfile child, bool create, CancellationToken cancellationToken)
    {
        var saved = await source.SaveChildAsync(child, create, cancellationToken);
        await CacheAsync(child.UserId, saved);
        return saved;
    }

    /// <summary>Removes a child at the source; the cache says "no such user" at once.</summary>
    public async Task DeleteChildAsync(string userId, CancellationToken cancellationToken)
    {
        await source.DeleteChildAsync(userId, cancellationToken);
        await redis.GetDatabase().StringSetAsync(RedisKeys.ChildProfile(userId), Missing, options.Value.CacheLifetime).WaitAsync(cancellationToken);
    }

    // Not tied to one caller's cancellation: other callers may be waiting on the same load.
    private async Task<ChildProfile?> LoadAsync(string userId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var profile = await source.FindAsync(userId, timeout.Token);
        logger.ProfileLoaded(userId, source.GetType().Name, profile is null ? "no such user" : "found");
        // Only into an empty cache: a change saved (and cached) while this load was under way is newer than what it read,
        // and a revoked secret must not come back for the cache's lifetime.
        await CacheAsync(userId, profile, When.NotExists);
        return profile;
    }

    private Task CacheAsync(string userId, ChildProfile? profile, When when = When.Always) => profile switch
    {
        null when options.Value.MissingUserCacheLifetime <= TimeSpan.Zero => Task.CompletedTask,
        null => redis.GetDatabase().StringSetAsync(RedisKeys.ChildProfile(userId), Missing, options.Value.MissingUserCacheLifetime, when),
        _ => redis.GetDatabase().StringSetAsync(RedisKeys.ChildProfile(userId), JsonSerializer.Serialize(profile, TutorJson.Options), options.Value.CacheLifetime, when),
    };
}
