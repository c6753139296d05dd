using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Turns;

/// <summary>Reads the gateway's session record: whose session it is and what audio its device speaks.</summary>
public sealed class SessionDirectory(IConnectionMultiplexer redis)
{
    public async Task<SessionInfo?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        var fields = await redis.GetDatabase().HashGetAsync(RedisKeys.Session(sessionId),
            [SessionFields.UserId, SessionFields.SampleRate, SessionFields.Channels]).WaitAsync(cancellationToken);
        if (fields[0].IsNullOrEmpty) return null;

        var sampleRate = fields[1].TryParse(out int rate) ? rate : AudioParams.Pcm16Mono16k.SampleRate;
        var channels = fields[2].TryParse(out int count) ? count : AudioParams.Pcm16Mono16k.Channels;
        return new SessionInfo(sessionId, fields[0]!, new AudioParams("pcm16", sampleRate, channels));
    }
}

/// <summary>A session as a worker sees it. Replies go to the device in the same PCM format it sends.</summary>
public sealed record SessionInfo(string SessionId, string UserId, AudioParams Audio);
