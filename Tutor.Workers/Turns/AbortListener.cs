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
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var channel = RedisChannel.Literal(Channels.TurnAborts);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(channel, (_, message) => Abort(message));
                break;
            }
            catch (Exception ex) when (ex.IsRedisFailure())
            {
                RedisFailures.Record(logger, ex, "subscribing to aborts");
                await Task.Delay(Backoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        try
        {
            await redis.GetSubscriber().UnsubscribeAsync(channel);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.LogDebug(ex, "Unsubscribing from {Channel} failed", Channels.TurnAborts);
        }
    }

    private void Abort(RedisValue message)
    {
        if (TutorJson.TryDeserialize<TurnAbort>(message) is not { TurnId: { } turnId } abort)
        {
            logger.LogWarning("Ignored a malformed abort on {Channel}", Channels.TurnAborts);
            return;
        }

        if (turns.Cancel(turnId))
        {
            logger.LogInformation("Turn {TurnId} of session {SessionId} aborted by the device", turnId, abort.SessionId);
        }
    }
}
