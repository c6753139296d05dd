using StackExchange.Redis;
using Tutor.Contracts.Lessons;
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

    public Task<ChildProgress?> LoadAsync(string userId, CancellationToken cancellationToken) =>
        redis.GetDatabase().ReadChildProgressAsync(userId, cancellationToken);

    public Task SaveAsync(string userId, ChildProgress progress, CancellationToken cancellationToken) =>
        redis.GetDatabase().WriteChildProgressAsync(userId, progress, Retention, cancellationToken);

    /// <summary>
    /// Waits until no other turn of this child runs, then holds the child until the result is disposed. At most one turn
    /// waits behind the running one: the newest (by <paramref name="order"/>, the utterance's stream id). An older one
    /// still waiting gives up with <see cref="TurnSupersededException"/> — the child has said something newer since.
    /// </summary>
    public async Task<IAsyncDisposable> LockAsync(string userId, string order, TimeSpan lease, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await TryLockAsync(userId, order, lease, cancellationToken) is { } held) return held;
            await Task.Delay(LockPoll, cancellationToken);
        }
    }

    /// <summary>
    /// Holds the child when no other turn of it runs; null when one does (this turn is then next in line — wait with
    /// <see cref="LockAsync"/>). Throws <see cref="TurnSupersededException"/> like it.
    /// </summary>
    public async Task<IAsyncDisposable?> TryLockAsync(string userId, string order, TimeSpan lease, CancellationToken cancellationToken)
    {
        // Stryker disable once string : the token's format only ("" is the Guid's default format, as unique)
        var token = Guid.NewGuid().ToString("N");
        var db = redis.GetDatabase();
        var arguments = new
        {
            lockKey = (RedisKey)RedisKeys.ChildTurnLock(userId),
            nextKey = (RedisKey)RedisKeys.ChildNextTurn(userId),
            order,
            token,
            lease = (long)lease.TotalMilliseconds,
        };
        return (int)await db.ScriptEvaluateAsync(TakeTurn, arguments).WaitAsync(cancellationToken) switch
        {
            1 => new Lease(db, RedisKeys.ChildTurnLock(userId), token, lease),
            -1 => throw new TurnSupersededException(),
            _ => null,
        };
    }

    // 1: the lock is taken; 0: wait (this turn is now the one next in line); -1: a newer turn of the child waits, give up.
    private static readonly LuaScript TakeTurn = LuaScript.Prepare("""
        local function parse(id)
          local ms, seq = string.match(id, '^(%d+)-(%d+)$')
          return tonumber(ms) or 0, tonumber(seq) or 0
        end
        local function newer(a, b)
          local ams, aseq = parse(a)
          local bms, bseq = parse(b)
          return ams > bms or (ams == bms and aseq > bseq)
        end
        local next = redis.call('GET', @nextKey)
        if next and newer(next, @order) then return -1 end
        redis.call('SET', @nextKey, @order, 'PX', @lease)
        if redis.call('SET', @lockKey, @token, 'NX', 'PX', @lease) then return 1 end
        return 0
        """);

    /// <summary>The lesson a parent chose to start next, if any (it stays chosen until a turn has started it and saved).</summary>
    public async Task<string?> ChosenLessonAsync(string userId, CancellationToken cancellationToken) =>
        await redis.GetDatabase().StringGetAsync(RedisKeys.ChosenLesson(userId)).WaitAsync(cancellationToken);

    /// <summary>The chosen lesson has started: forgotten, unless the parent chose another meanwhile.</summary>
    public Task ForgetChosenLessonAsync(string userId, string chosen) =>
        redis.GetDatabase().ScriptEvaluateAsync(HeldKeyScripts.Release, [RedisKeys.ChosenLesson(userId)], [chosen]);

    /// <summary>The child leaves the lesson they are in: the next turn opens <paramref name="chosen"/>.</summary>
    public static ChildProgress StartNext(ChildProgress? progress, string chosen) =>
        (progress ?? new ChildProgress()) with { LessonId = null, StepId = null, Attempts = 0, Exchanges = 0, ChosenLessonId = chosen };

    /// <summary>Whether <paramref name="turnId"/> has already moved the child on (it was run before, and its worker saved it).</summary>
    public static bool HasApplied(ChildProgress? progress, string turnId) => progress?.Recent.Any(t => t.TurnId == turnId) == true;

    public static ChildProgress Remember(ChildProgress progress, string turnId, string childSaid, string tutorSaid, DateTimeOffset at) =>
        progress with
        {
            Recent = [.. progress.Recent.TakeLast(RecentTurns - 1), new ConversationTurn(childSaid, tutorSaid, at, turnId)],
            UpdatedAt = at,
        };

    /// <summary>
    /// The child's turn lock while a turn holds it: renewed every third of its lease, so a worker that dies lets the
    /// child go within one lease instead of holding every later turn of the child until a long expiry runs out.
    /// </summary>
    private sealed class Lease : IAsyncDisposable
    {
        private readonly IDatabase _db;
        private readonly string _key;
        private readonly string _token;
        private readonly CancellationTokenSource _held = new();
        private readonly Task _renewing;

        public Lease(IDatabase db, string key, string token, TimeSpan lease)
        {
            _db = db;
            _key = key;
            _token = token;
            _renewing = RenewAsync(lease, _held.Token);
        }

        private async Task RenewAsync(TimeSpan lease, CancellationToken held)
        {
            using var timer = new PeriodicTimer(lease / 3);
            try
            {
                while (await timer.WaitForNextTickAsync(held))
                {
                    try
                    {
                        await _db.ScriptEvaluateAsync(HeldKeyScripts.Renew, [_key], [_token, (long)lease.TotalMilliseconds]);
                    }
                    catch (Exception ex) when (ex.IsRedisFailure())
                    {
                        // Tried again at the next tick; the lease is three ticks long.
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        // Only the holder releases: a lease that expired and was taken by another turn is left alone. A release Redis does
        // not answer is no failure of the turn (which may be over, or leaving because Redis is away): the lock runs out
        // by itself within one lease.
        public async ValueTask DisposeAsync()
        {
            await _held.CancelAsync();
            // Stryker disable once statement : order only; a renewal still in flight finds the key released (not its token) and does nothing
            await _renewing;
            // Stryker disable once statement : only the token source's resources
            _held.Dispose();
            try
            {
                await _db.ScriptEvaluateAsync(HeldKeyScripts.Release, [_key], [_token]);
            }
            catch (Exception ex) when (ex.IsRedisFailure())
            {
            }
        }
    }
}

/// <summary>The child said something newer while this turn waited for the one before; the newer turn is answered instead.</summary>
// Stryker disable once string : wording only (the exception's type is what the turn acts on)
public sealed class TurnSupersededException() : Exception("A newer utterance of the child supersedes this one.");
