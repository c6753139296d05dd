using Microsoft.Extensions.Options;
using StackExchange.Redis;
using System.Text.Json;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Families;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Sessions;

/// <summary>The Redis record of each connected session (<c>session:{session_id}</c>), which workers read to know whose turn it is.</summary>
public sealed class SessionStore(IConnectionMultiplexer redis, IOptions<SessionRecordOptions> options)
{
    private readonly string _gateway = $"{Environment.MachineName}:{Environment.ProcessId}";

    public async Task<DeviceSession> OpenAsync(ChildProfile child, AudioParams uplink, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            // Fail at once rather than after the client's command timeouts: the device will retry.
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected.");
        }

        var userId = child.UserId;
        var session = new DeviceSession(Guid.NewGuid().ToString("N"), userId, uplink);
        var key = RedisKeys.Session(session.SessionId);
        var db = redis.GetDatabase();
        var transaction = db.CreateTransaction();
        _ = transaction.HashSetAsync(key,
        [
            new(SessionFields.UserId, userId),
            new(SessionFields.Gateway, _gateway),
            new(SessionFields.ConnectedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
            new(SessionFields.SampleRate, uplink.SampleRate),
            new(SessionFields.Channels, uplink.Channels),
            // What the tutor needs to know of the child; the device secrets stay out of it.
            new(SessionFields.Profile, JsonSerializer.Serialize(child with { DeviceSecrets = [] }, TutorJson.Options)),
        ]);
        _ = transaction.KeyExpireAsync(key, options.Value.RecordLifetime);
        await transaction.ExecuteAsync().WaitAsync(cancellationToken);
        return session;
    }

    /// <summary>Pushes the record's expiry forward while the device stays connected.</summary>
    public async Task KeepAliveAsync(DeviceSession session, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            await redis.GetDatabase().KeyExpireAsync(RedisKeys.Session(session.SessionId), options.Value.RecordLifetime)
                .WaitAsync(cancellationToken);
        }
    }

    public Task CloseAsync(DeviceSession session) => redis.GetDatabase().KeyDeleteAsync(RedisKeys.Session(session.SessionId));
}
