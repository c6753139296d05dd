using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Families;

/// <summary>
/// Deletes a child's conversation: the history the parents see and the recent turns kept for the tutor's context — or,
/// for a child who is deleted, everything Tutor keeps of them in Redis. It takes the child's turn lock first, as a
/// worker does for a turn, so a turn under way finishes (and writes its lines) before the deletion, never after it:
/// nothing said before the parent pressed "delete" survives it.
/// </summary>
public sealed class HistoryEraser(IConnectionMultiplexer redis, IOptions<FamiliesOptions> options)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(10);

    /// <summary>Deletes the child's conversation; false when a turn held the child for longer than <see cref="FamiliesOptions.EraseMaxWait"/>.</summary>
    public Task<bool> EraseAsync(string userId, CancellationToken cancellationToken) => EraseAsync(userId, everything: false, cancellationToken);

    /// <summary>Deletes all Tutor keeps of the child in Redis: progress, history, presence.</summary>
    public Task<bool> EraseChildAsync(string userId, CancellationToken cancellationToken) => EraseAsync(userId, everything: true, cancellationToken);

    private async Task<bool> EraseAsync(string userId, bool everything, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var lockKey = RedisKeys.ChildTurnLock(userId);
        var token = Guid.NewGuid().ToString("N");
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(options.Value.EraseMaxWait);
        try
        {
            while (!await db.StringSetAsync(lockKey, token, Hold, When.NotExists).WaitAsync(cancellationToken))
            {
                await Task.Delay(Poll, patience.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        try
        {
            if (everything)
            {
                await db.KeyDeleteAsync([RedisKeys.History(userId), RedisKeys.ChildProgress(userId), RedisKeys.Presence(userId),
                    RedisKeys.DevicePresence(userId), RedisKeys.TurnFacts(userId), RedisKeys.ChosenLesson(userId)]).WaitAsync(cancellationToken);
                return true;
            }
            await db.KeyDeleteAsync(RedisKeys.History(userId)).WaitAsync(cancellationToken);
            if (await db.ReadChildProgressAsync(userId, cancellationToken) is { } progress)
            {
                await db.WriteChildProgressAsync(userId, progress with { Recent = [] }, lifetime: null, cancellationToken);
            }
            return true;
        }
        finally
        {
            await db.ScriptEvaluateAsync(HeldKeyScripts.Release, [lockKey], [token]);
        }
    }
}
