using StackExchange.Redis;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Turns;

/// <summary>Listens on <c>turns:abort</c> and stops the named turn if this worker is running it.</summary>
public sealed class AbortListener(IConnectionMultiplexer redis, TurnCancellations turns, ILogger<AbortListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Channels.TurnAborts));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var message = await queue.ReadAsync(stoppingToken);
                if (TutorJson.TryDeserialize<TurnAbort>(message.Message) is not { TurnId: { } turnId } abort)
                {
                    logger.LogWarning("Ignored a malformed abort on {Channel}", Channels.TurnAborts);
                    continue;
                }

                if (turns.Cancel(turnId))
                {
                    logger.LogInformation("Turn {TurnId} of session {SessionId} aborted by the device", turnId, abort.SessionId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await queue.UnsubscribeAsync();
        }
    }
}
