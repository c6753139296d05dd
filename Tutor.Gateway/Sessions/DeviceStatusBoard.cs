using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Transcripts;

namespace Tutor.Gateway.Sessions;

/// <summary>
/// What each child's device is doing — listening, thinking, speaking, offline — kept in Redis (<c>presence:{user_id}</c>,
/// so every gateway can answer) and pushed to the parents following the child.
/// </summary>
public sealed class DeviceStatusBoard(IConnectionMultiplexer redis, IHubContext<TranscriptHub, ITranscriptClient> hub,
    IOptions<SessionRecordOptions> options, ILogger<DeviceStatusBoard> logger)
{
    public async Task SetAsync(string userId, string state)
    {
        try
        {
            var db = redis.GetDatabase();
            if (state == DeviceStates.Offline) await db.KeyDeleteAsync(RedisKeys.Presence(userId));
            else await db.StringSetAsync(RedisKeys.Presence(userId), state, options.Value.RecordLifetime);
            await hub.Clients.Group(TranscriptGroups.ForUser(userId)).DeviceStatusChanged(new DeviceStatus(userId, state, DateTimeOffset.UtcNow));
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            // The parents' view of the device is a nicety; a conversation never waits on it.
            RedisFailures.Record(logger, ex, "updating a device's status");
        }
    }

    public async Task<string> GetAsync(string userId)
    {
        var state = await redis.GetDatabase().StringGetAsync(RedisKeys.Presence(userId));
        return state.IsNullOrEmpty ? DeviceStates.Offline : state.ToString();
    }
}
