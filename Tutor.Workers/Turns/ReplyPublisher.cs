using StackExchange.Redis;
using Tutor.Contracts.Diagnostics;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Turns;

/// <summary>Stores reply audio at <c>response:{session_id}:{uuid}</c> and tells the session's gateway on <c>responses:{session_id}</c>.</summary>
public sealed class ReplyPublisher(IConnectionMultiplexer redis)
{
    /// <param name="text">The sentence, with its first part only.</param>
    public async Task PublishPartAsync(string sessionId, string turnId, int sequence, string? text, byte[] audio, CancellationToken cancellationToken)
    {
        var audioKey = RedisKeys.NewReplyAudio(sessionId);
        await redis.GetDatabase().StringSetAsync(audioKey, audio, RedisKeys.AudioLifetime).WaitAsync(cancellationToken);
        await PublishAsync(sessionId, SessionEvent.AudioResponse(turnId, sequence, audioKey, text, TraceContext.Current()), cancellationToken);
    }

    public Task PublishAsync(string sessionId, SessionEvent sessionEvent, CancellationToken cancellationToken) =>
        redis.GetDatabase()
            .PublishAsync(RedisChannel.Literal(Channels.Responses(sessionId)), TutorJson.Serialize(sessionEvent))
            .WaitAsync(cancellationToken);
}
