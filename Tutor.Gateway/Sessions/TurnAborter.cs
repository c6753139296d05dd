using StackExchange.Redis;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Sessions;

/// <summary>Tells the workers to stop turns the device aborted, so no work is spent on a reply nobody will hear.</summary>
public sealed class TurnAborter(IConnectionMultiplexer redis, ILogger<TurnAborter> logger)
{
    public async Task AbortAsync(DeviceSession session, IReadOnlyList<string> turnIds, CancellationToken cancellationToken)
    {
        foreach (var turnId in turnIds)
        {
            // The key first: a worker that registers the turn after the message went out still finds the abort.
            await redis.GetDatabase().StringSetAsync(RedisKeys.TurnAborted(turnId), session.SessionId, RedisKeys.AbortMemory).WaitAsync(cancellationToken);
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(Channels.TurnAborts),
                TutorJson.Serialize(new TurnAbort(session.SessionId, turnId))).WaitAsync(cancellationToken);
            logger.TurnAborted(turnId, session.SessionId);
        }
    }
}
