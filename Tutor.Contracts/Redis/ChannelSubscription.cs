using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Tutor.Contracts.Redis;

/// <summary>
/// One handler on one pub/sub channel, until disposed. The client re-subscribes by itself after a reconnect; leaving
/// never throws (a Redis that is down has forgotten the subscription anyway), it is only logged.
/// </summary>
public sealed class ChannelSubscription : IAsyncDisposable
{
    private readonly ISubscriber _subscriber;
    private readonly RedisChannel _channel;
    private readonly ILogger _logger;

    private ChannelSubscription(ISubscriber subscriber, RedisChannel channel, ILogger logger)
    {
        _subscriber = subscriber;
        _channel = channel;
        _logger = logger;
    }

    /// <summary>Subscribed once this returns: nothing published afterwards is missed. Throws a Redis failure when Redis is down.</summary>
    public static async Task<ChannelSubscription> SubscribeAsync(IConnectionMultiplexer redis, string channelName, Action<RedisValue> handle,
        ILogger logger, CancellationToken cancellationToken)
    {
        var subscriber = redis.GetSubscriber();
        var channel = RedisChannel.Literal(channelName);
        await subscriber.SubscribeAsync(channel, (_, message) => handle(message)).WaitAsync(cancellationToken);
        return new ChannelSubscription(subscriber, channel, logger);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _subscriber.UnsubscribeAsync(_channel);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            _logger.UnsubscribeFailed(ex, _channel.ToString());
        }
    }
}
