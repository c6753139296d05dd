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
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(Channels.TurnAborts),
                TutorJson.Serialize(new TurnAbort(session.SessionId, turnId))).WaitAsync(cancellationToken);
            logger.LogInformation("Turn {TurnId} of session {SessionId} aborted by the device", turnId, session.SessionId);
        }
    }
}
