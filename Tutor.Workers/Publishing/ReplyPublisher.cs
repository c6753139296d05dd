using StackExchange.Redis;
using Tutor.Contracts.Diagnostics;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Publishing;

/// <summary>
/// Stores reply audio at <c>response:{session_id}:{uuid}</c> and tells the session's gateway on <c>responses:{session_id}</c>,
/// as the seed does; each event is first kept in the session's reply stream, whose entry id the message names, so a
/// gateway that missed the message still finds it.
/// </summary>
public sealed class ReplyPublisher(IConnectionMultiplexer redis)
{
    /// <summary>Events beyond these are trimmed: a gateway reads them within milliseconds.</summary>
    private const int StreamLength = 1000;

    /// <param name="text">The sentence, with its first part only.</param>
    public async Task PublishPartAsync(string sessionId, string turnId, int sequence, string? text, byte[] audio, CancellationToken cancellationToken)
    {
        var audioKey = RedisKeys.NewReplyAudio(sessionId);
        await redis.GetDatabase().StringSetAsync(audioKey, audio, RedisKeys.AudioLifetime).WaitAsync(cancellationToken);
        await PublishAsync(sessionId, SessionEvent.AudioResponse(turnId, sequence, audioKey, text, TraceContext.Current()), cancellationToken);
    }

    public async Task PublishAsync(string sessionId, SessionEvent sessionEvent, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var stream = RedisKeys.ReplyStream(sessionId);
        var id = await db.StreamAddAsync(stream, RedisKeys.ReplyStreamField, TutorJson.Serialize(sessionEvent),
            maxLength: StreamLength, useApproximateMaxLength: true).WaitAsync(cancellationToken);
        // The expiry and the message go out together, in one round trip.
        var expire = db.KeyExpireAsync(stream, RedisKeys.AudioLifetime);
        var publish = db.PublishAsync(RedisChannel.Literal(Channels.Responses(sessionId)), TutorJson.Serialize(sessionEvent with { StreamId = id.ToString() }));
        await Task.WhenAll(expire, publish).WaitAsync(cancellationToken);
    }
}
