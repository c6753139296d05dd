using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Transcripts;
using Tutor.Realtime.Transcripts;

namespace Tutor.Gateway.Sessions;

/// <summary>
/// What each child's device is doing — listening, thinking, speaking, offline — kept in Redis (<c>presence:{user_id}</c>,
/// so every gateway can answer) and pushed to the parents following the child; and, per device, its state and when it
/// was last seen (<c>device-presence:{user_id}</c>), for the parents' list of devices. A device's state is believed for
/// one session-record lifetime after it was last seen, so the state of a device whose gateway died becomes offline.
/// </summary>
public sealed class DeviceStatusBoard(IConnectionMultiplexer redis, IHubContext<TranscriptHub, ITranscriptClient> hub,
    IOptions<SessionRecordOptions> options, ILogger<DeviceStatusBoard> logger)
{
    /// <summary>How long a device's last-seen time is remembered.</summary>
    private static readonly TimeSpan LastSeenMemory = TimeSpan.FromDays(90);

    public async Task SetAsync(string userId, string deviceId, string state)
    {
        try
        {
            var db = redis.GetDatabase();
            var now = DateTimeOffset.UtcNow;
            var batch = db.CreateBatch();
            var child = state == DeviceStates.Offline
                ? batch.KeyDeleteAsync(RedisKeys.Presence(userId))
                : batch.StringSetAsync(RedisKeys.Presence(userId), state, options.Value.RecordLifetime);
            var device = batch.HashSetAsync(RedisKeys.DevicePresence(userId),
                [new(deviceId, state), new(DevicePresenceFields.SeenAt(deviceId), now.ToUnixTimeMilliseconds())]);
            var memory = batch.KeyExpireAsync(RedisKeys.DevicePresence(userId), LastSeenMemory);
            batch.Execute();
            await Task.WhenAll(child, device, memory);
            await hub.Clients.Group(TranscriptGroups.ForUser(userId)).DeviceStatusChanged(new DeviceStatus(userId, state, now, deviceId));
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            // The parents' view of the device is a nicety; a conversation never waits on it.
            RedisFailures.Record(logger, ex, "updating a device's status");
        }
    }

    /// <summary>The device is still there (called while it stays connected, every session refresh).</summary>
    public async Task TouchAsync(string userId, string deviceId)
    {
        try
        {
            await redis.GetDatabase().HashSetAsync(RedisKeys.DevicePresence(userId), DevicePresenceFields.SeenAt(deviceId),
                DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            RedisFailures.Record(logger, ex, "marking a device seen");
        }
    }

    /// <summary>Each of the child's devices' state and when it was last seen (null: never connected).</summary>
    public async Task<IReadOnlyDictionary<string, (string State, DateTimeOffset? LastSeen)>> GetDevicesAsync(string userId, IEnumerable<string> deviceIds)
    {
        var fields = (await redis.GetDatabase().HashGetAllAsync(RedisKeys.DevicePresence(userId))).ToDictionary(f => f.Name.ToString(), f => f.Value);
        var believedSince = DateTimeOffset.UtcNow - options.Value.RecordLifetime;
        var devices = new Dictionary<string, (string, DateTimeOffset?)>();
        foreach (var id in deviceIds)
        {
            DateTimeOffset? seen = fields.TryGetValue(DevicePresenceFields.SeenAt(id), out var ms) && ms.TryParse(out long unix)
                ? DateTimeOffset.FromUnixTimeMilliseconds(unix) : null;
            var state = fields.TryGetValue(id, out var value) && seen > believedSince ? value.ToString() : DeviceStates.Offline;
            devices[id] = (state, seen);
        }
        return devices;
    }

    public async Task<string> GetAsync(string userId)
    {
        var state = await redis.GetDatabase().StringGetAsync(RedisKeys.Presence(userId));
        return state.IsNullOrEmpty ? DeviceStates.Offline : state.ToString();
    }
}
