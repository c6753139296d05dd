using StackExchange.Redis;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Turns;

/// <summary>
/// Listens on <c>audio:processing</c>, as the seed does. Each announcement reaches every worker; the runner of the first
/// with a free slot claims it, the others skip it.
/// </summary>
public sealed class UtteranceListener(IConnectionMultiplexer redis, TurnRunner runner, TurnClaims claims, ILogger<UtteranceListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Channels.AudioProcessing));
        logger.LogInformation("Worker {WorkerId} listening on {Channel}", claims.WorkerId, Channels.AudioProcessing);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var message = await queue.ReadAsync(stoppingToken);
                var announcement = TutorJson.TryDeserialize<UtteranceAnnouncement>(message.Message);
                if (announcement?.SessionId is null || announcement.AudioKey is null
                    || RedisKeys.SessionOf(announcement.AudioKey) != announcement.SessionId)
                {
                    logger.LogWarning("Ignored a malformed announcement on {Channel}", Channels.AudioProcessing);
                    continue;
                }

                await runner.OfferAsync(announcement, pendingId: null, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await queue.UnsubscribeAsync();
            await runner.DrainAsync();
        }
    }
}
