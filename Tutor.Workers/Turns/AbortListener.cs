using StackExchange.Redis;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Turns;

/// <summary>
/// Listens on <c>turns:abort</c> and stops the named turn if this worker is running it. Redis unreachable at start is
/// tried again until it answers (the client re-subscribes by itself after a reconnect).
/// </summary>
public sealed class AbortListener(IConnectionMultiplexer redis, TurnCancellations turns, ILogger<AbortListener> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        redis.ListenUntilStoppedAsync(Channels.TurnAborts, Abort, logger, stoppingToken);

    private void Abort(RedisValue message)
    {
        if (TutorJson.TryDeserialize<TurnAbort>(message) is not { TurnId: { } turnId } abort)
        {
            logger.MalformedAbort(Channels.TurnAborts);
            return;
        }

        if (turns.Cancel(turnId))
        {
            logger.Aborted(turnId, abort.SessionId);
        }
    }
}
