using System.Text.Json;
using StackExchange.Redis;
using Tutor.Contracts.Families;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Turns;

/// <summary>Reads the gateway's session record: whose session it is, what audio its device speaks, and the child's profile.</summary>
public sealed class SessionDirectory(IConnectionMultiplexer redis)
{
    public async Task<SessionInfo?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        var fields = await redis.GetDatabase().HashGetAsync(RedisKeys.Session(sessionId),
            [SessionFields.UserId, SessionFields.SampleRate, SessionFields.Channels, SessionFields.Profile]).WaitAsync(cancellationToken);
        if (fields[0].IsNullOrEmpty) return null;

        var userId = (string)fields[0]!;
        var sampleRate = fields[1].TryParse(out int rate) && rate > 0 ? rate : AudioParams.Pcm16Mono16k.SampleRate;
        var channels = fields[2].TryParse(out int count) && count > 0 ? count : AudioParams.Pcm16Mono16k.Channels;
        var child = fields[3].IsNullOrEmpty
            ? new ChildProfile(userId, userId, null, null, null, null, [], [])
            : JsonSerializer.Deserialize<ChildProfile>((string)fields[3]!, TutorJson.Options)!;
        return new SessionInfo(sessionId, userId, new AudioParams(AudioParams.Pcm16, sampleRate, channels), child);
    }
}

/// <summary>A session as a worker sees it. Replies go to the device in the same PCM format it sends.</summary>
public sealed record SessionInfo(string SessionId, string UserId, AudioParams Audio, ChildProfile Child);
