using StackExchange.Redis;

namespace Tutor.Tests.Infrastructure;

/// <summary>Records what is published on a Redis channel or pattern, so a test can see exactly what travelled.</summary>
public sealed class PubSubRecorder : IAsyncDisposable
{
    private readonly List<PublishedMessage> _messages = [];
    private readonly ChannelMessageQueue _queue;
    private readonly Task _reading;

    private PubSubRecorder(ChannelMessageQueue queue)
    {
        _queue = queue;
        _reading = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var message = await _queue.ReadAsync();
                    lock (_messages) _messages.Add(new PublishedMessage(message.Channel!, message.Message!));
                }
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
            }
        });
    }

    public static async Task<PubSubRecorder> StartAsync(IConnectionMultiplexer redis, RedisChannel channel) =>
        new(await redis.GetSubscriber().SubscribeAsync(channel));

    public IReadOnlyList<PublishedMessage> Messages
    {
        get { lock (_messages) return [.. _messages]; }
    }

    /// <summary>Waits until the recorded messages satisfy <paramref name="condition"/>, and returns them.</summary>
    public async Task<IReadOnlyList<PublishedMessage>> WaitForAsync(Func<IReadOnlyList<PublishedMessage>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var messages = Messages;
            if (condition(messages)) return messages;
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Condition not met; {messages.Count} message(s): {string.Join(" | ", messages.Select(m => $"{m.Channel} {m.Message}"))}");
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.UnsubscribeAsync();
        await _reading;
    }
}

public sealed record PublishedMessage(string Channel, string Message);
