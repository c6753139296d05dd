using System.Collections.Concurrent;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Devices;

/// <summary>
/// This gateway's device connections by device, and the channel on which gateways close each other's: one connection per
/// device secret (a new one replaces the old, wherever it is, as xiaozhi's server does), and a revoked device is
/// disconnected everywhere within moments. Redis unreachable at start is tried again until it answers; the client
/// re-subscribes by itself after a reconnect.
/// </summary>
public sealed class DeviceRegistry(IConnectionMultiplexer redis, ILogger<DeviceRegistry> logger) : BackgroundService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal(Channels.DeviceEvictions);

    private readonly ConcurrentDictionary<(string UserId, string DeviceId), ConcurrentDictionary<string, DeviceConnection>> _connections = new();

    /// <summary>
    /// Adds <paramref name="connection"/> and closes the device's other connections on every gateway. A Redis failure
    /// to tell the others is logged, not thrown: the old connection then lives on until it drops by itself.
    /// </summary>
    public async Task<IDisposable> RegisterAsync(DeviceConnection connection, CancellationToken cancellationToken)
    {
        var device = (connection.UserId, connection.DeviceId);
        while (true)
        {
            var connections = _connections.GetOrAdd(device, _ => new());
            connections[connection.ConnectionId] = connection;
            // A last connection's registration may have removed this very set meanwhile: then add to the new one.
            if (_connections.TryGetValue(device, out var current) && ReferenceEquals(current, connections)) break;
        }
        var eviction = new DeviceEviction(connection.UserId, connection.DeviceId, DeviceErrorCodes.Replaced, connection.ConnectionId, connection.SessionId);
        Evict(eviction); // here at once, whatever Redis does
        await PublishAsync(eviction, cancellationToken);
        return new Registration(this, device, connection.ConnectionId);
    }

    /// <summary>Closes every connection of the device, on every gateway, with <paramref name="code"/>.</summary>
    public async Task EvictAsync(string userId, string deviceId, string code, CancellationToken cancellationToken)
    {
        var eviction = new DeviceEviction(userId, deviceId, code);
        Evict(eviction);
        await PublishAsync(eviction, cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        redis.ListenUntilStoppedAsync(Channels.DeviceEvictions, OnEviction, logger, stoppingToken);

    private async Task PublishAsync(DeviceEviction eviction, CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, TutorJson.Serialize(eviction)).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            RedisFailures.Record(logger, ex, "telling other gateways to close a device's connections");
        }
    }

    private void OnEviction(RedisValue message)
    {
        if (TutorJson.TryDeserialize<DeviceEviction>(message) is not { UserId: not null, DeviceId: not null, Code: not null } eviction)
        {
            logger.MalformedEviction(Channels.DeviceEvictions);
            return;
        }
        Evict(eviction);
    }

    private void Evict(DeviceEviction eviction)
    {
        if (!_connections.TryGetValue((eviction.UserId, eviction.DeviceId), out var connections)) return;
        foreach (var (id, connection) in connections)
        {
            if (id == eviction.KeptConnection) continue;
            if (connections.TryRemove(id, out _))
            {
                logger.Evicted(eviction.DeviceId, eviction.UserId, connection.SessionId, eviction.Code);
                connection.Evict(eviction.Code, resumedElsewhere: eviction.KeptSession == connection.SessionId);
            }
        }
    }

    private sealed class Registration(DeviceRegistry registry, (string, string) device, string connectionId) : IDisposable
    {
        public void Dispose()
        {
            if (registry._connections.TryGetValue(device, out var connections))
            {
                connections.TryRemove(connectionId, out _);
                if (connections.IsEmpty) registry._connections.TryRemove(new KeyValuePair<(string, string), ConcurrentDictionary<string, DeviceConnection>>(device, connections));
            }
        }
    }
}
