using StackExchange.Redis;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Lessons;

/// <summary>
/// Tells the parents' page which lessons there are: each worker writes its catalog's summaries to
/// <c>lessons:catalog</c> when it starts (every worker has the same lesson files), trying again while Redis is away.
/// </summary>
public sealed class LessonCatalogPublisher(IConnectionMultiplexer redis, LessonCatalog catalog, ILogger<LessonCatalogPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var entries = catalog.Lessons.Select(l => new HashEntry(l.Id, TutorJson.Serialize(
            new LessonSummary(l.Id, l.Title, l.TargetLanguage, l.InstructionLanguage, l.Level, l.Steps.Count, l.Vocabulary)))).ToArray();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await redis.GetDatabase().HashSetAsync(RedisKeys.LessonCatalog, entries).WaitAsync(stoppingToken);
                logger.LessonsPublished(entries.Length);
                return;
            }
            catch (Exception ex) when (ex.IsRedisFailure())
            {
                RedisFailures.Record(logger, ex, "publishing the lesson catalog");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
