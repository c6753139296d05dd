using System.Text.Json;
using StackExchange.Redis;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Lessons;

/// <summary>
/// Each child's lesson progress in Redis, so any worker can take any turn and a new session resumes where the last one
/// stopped; and the per-child turn lock, so two turns of one child never run at once.
/// </summary>
public sealed class ChildProgressStore(IConnectionMultiplexer redis)
{
    public const int RecentTurns = 6;
    private static readonly TimeSpan Retention = TimeSpan.FromDays(180);
    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(50);

    public async Task<ChildProgress?> LoadAsync(string userId, CancellationToken cancellationToken)
    {
        var json = await redis.GetDatabase().StringGetAsync(RedisKeys.ChildProgress(userId)).WaitAsync(cancellationToken);
        return json.IsNullOrEmpty ? null : JsonSerializer.Deserialize<ChildProgress>((string)json!, TutorJson.Options);
    }

    public Task SaveAsync(string userId, ChildProgress progress, CancellationToken cancellationToken) =>
        redis.GetDatabase().StringSetAsync(RedisKeys.ChildProgress(userId), JsonSerializer.Serialize(progress, TutorJson.Options), Retention)
            .WaitAsync(cancellationToken);

    /// <summary>Waits until no other turn of this child runs, then holds the child until the result is disposed.</summary>
    public async Task<IAsyncDisposable> LockAsync(string userId, TimeSpan lease, CancellationToken cancellationToken)
    {
        var key = RedisKeys.ChildTurnLock(userId);
        var token = Guid.NewGuid().ToString("N");
        var db = redis.GetDatabase();
        while (!await db.StringSetAsync(key, token, lease, When.NotExists).WaitAsync(cancellationToken))
        {
            await Task.Delay(LockPoll, cancellationToken);
        }
        return new Lease(db, key, token);
    }

    public static ChildProgress Remember(ChildProgress progress, string childSaid, string tutorSaid, DateTimeOffset at) =>
        progress with
        {
            Recent = [.. progress.Recent.TakeLast(RecentTurns - 1), new ConversationTurn(childSaid, tutorSaid, at)],
            UpdatedAt = at,
        };

    private sealed class Lease(IDatabase db, string key, string token) : IAsyncDisposable
    {
        // Only the holder releases: a lease that expired and was taken by another turn is left alone.
        public async ValueTask DisposeAsync() =>
            await db.ScriptEvaluateAsync("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
                [key], [token]);
    }
}
