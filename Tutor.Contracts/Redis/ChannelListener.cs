using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Tutor.Contracts.Redis;

/// <summary>
/// How a background service listens on a pub/sub channel for its whole life: Redis unreachable at start is tried again
/// every second until it answers (the client re-subscribes by itself after a later reconnect), and the subscription
/// ends when the service stops.
/// </summary>
public static class ChannelListener
{
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);

    public static async Task ListenUntilStoppedAsync(this IConnectionMultiplexer redis, string channelName, Action<RedisValue> handle,
        ILogger logger, CancellationToken stoppingToken)
    {
        ChannelSubscription? subscription = null;
        while (subscription is null && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                subscription = await ChannelSubscription.SubscribeAsync(redis, channelName, handle, logger, stoppingToken);
            }
            catch (Exception ex) when (ex.IsRedisFailure())
            {
                RedisFailures.Record(logger, ex, $"subscribing to {channelName}");
                await Task.Delay(Backoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
        }
        if (subscription is null) return;

        await using (subscription)
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
