using Tutor.Contracts.Lessons;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;
using Tutor.Workers.Lessons;

namespace Tutor.Tests.Workers;

/// <summary>
/// The child's turn lock and saved progress (<see cref="ChildProgressStore"/>) against a real Redis, as several workers
/// share them: one turn of a child at a time, only the newest waiting behind it (stream ids compared as numbers), only
/// the holder renews or releases, a lease renewed while held and let go within one lease otherwise, Redis failures in
/// the renewal or the release no failure of the turn.
/// </summary>
public sealed class ChildTurnLockTests : IAsyncLifetime
{
    private const string Child = "mia";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    private readonly RedisServer _redis = new();
    private ChildProgressStore _store = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _store = new ChildProgressStore(_redis.Connection);
    }

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task A_held_child_makes_the_next_turn_wait_and_is_free_again_once_released()
    {
        var held = await _store.TryLockAsync(Child, "1700000000000-0", Lease, CancellationToken.None);
        Assert.NotNull(held);
        var token = await _redis.Database.StringGetAsync(RedisKeys.ChildTurnLock(Child));
        Assert.True(token.HasValue);

        Assert.Null(await _store.TryLockAsync(Child, "1700000000001-0", Lease, CancellationToken.None));
        Assert.Equal("1700000000001-0", await _redis.Database.StringGetAsync(RedisKeys.ChildNextTurn(Child)));
        Assert.Null(await _store.TryLockAsync(Child, "1700000000001-0", Lease, CancellationToken.None)); // asking again, still next
        Assert.Equal(token, await _redis.Database.StringGetAsync(RedisKeys.ChildTurnLock(Child))); // the holder's, untouched

        await held.DisposeAsync();
        Assert.False(await _redis.Database.KeyExistsAsync(RedisKeys.ChildTurnLock(Child)));
        await using var next = await _store.TryLockAsync(Child, "1700000000001-0", Lease, CancellationToken.None);
        Assert.NotNull(next);

        // Another child is not held by this one.
        await using var other = await _store.TryLockAsync("noah", "1700000000002-0", Lease, CancellationToken.None);
        Assert.NotNull(other);
    }

    [Theory]
    [InlineData("1700000000005-0", "1700000000004-9")] // an earlier millisecond
    [InlineData("1700000000005-2", "1700000000005-1")] // the same millisecond, an earlier sequence
    [InlineData("10000000000000-0", "9000000000000-0")] // compared as numbers, not as text
    public async Task An_older_turn_gives_up_once_a_newer_one_of_the_child_waits(string newer, string older)
    {
        await using var held = await _store.TryLockAsync(Child, "1-0", Lease, CancellationToken.None);
        Assert.Null(await _store.TryLockAsync(Child, newer, Lease, CancellationToken.None));

        await Assert.ThrowsAsync<TurnSupersededException>(() => _store.TryLockAsync(Child, older, Lease, CancellationToken.None));
        await Assert.ThrowsAsync<TurnSupersededException>(() => _store.LockAsync(Child, older, Lease, CancellationToken.None));

        Assert.Equal(newer, await _redis.Database.StringGetAsync(RedisKeys.ChildNextTurn(Child))); // the newer still next
    }

    [Fact]
    public async Task A_newer_turn_takes_the_place_in_line_of_an_older_waiting_one()
    {
        await using var held = await _store.TryLockAsync(Child, "1-0", Lease, CancellationToken.None);
        Assert.Null(await _store.TryLockAsync(Child, "1700000000004-0", Lease, CancellationToken.None));

        Assert.Null(await _store.TryLockAsync(Child, "1700000000004-1", Lease, CancellationToken.None));

        Assert.Equal("1700000000004-1", await _redis.Database.StringGetAsync(RedisKeys.ChildNextTurn(Child)));
        await Assert.ThrowsAsync<TurnSupersededException>(() => _store.TryLockAsync(Child, "1700000000004-0", Lease, CancellationToken.None));
    }

    [Fact]
    public async Task A_waiting_turn_runs_once_the_one_before_releases_the_child_and_stops_waiting_when_cancelled()
    {
        var held = await _store.TryLockAsync(Child, "1-0", Lease, CancellationToken.None);
        var waiting = _store.LockAsync(Child, "2-0", Lease, CancellationToken.None);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "the child is held");

        await held!.DisposeAsync();
        await using (await waiting.WaitAsync(TimeSpan.FromSeconds(5)))
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.LockAsync(Child, "3-0", Lease, cancel.Token));
        }
    }

    [Fact]
    public async Task A_waiting_turn_asks_for_the_child_about_every_50_ms_rather_than_spinning()
    {
        await using var held = await _store.TryLockAsync(Child, "1-0", Lease, CancellationToken.None);
        var before = await ScriptCallsAsync();

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.LockAsync(Child, "2-0", Lease, cancel.Token));

        // 20 in a second at one every 50 ms; fewer on a busy machine, thousands if it did not wait between them.
        Assert.InRange(await ScriptCallsAsync() - before, 5, 40);
    }

    [Fact]
    public async Task The_lock_is_renewed_while_held_and_never_outlives_one_lease()
    {
        var lease = TimeSpan.FromMilliseconds(600);
        await using var held = await _store.TryLockAsync(Child, "1-0", lease, CancellationToken.None);
        var token = await _redis.Database.StringGetAsync(RedisKeys.ChildTurnLock(Child));

        for (var i = 0; i < 6; i++) // three leases long
        {
            await Task.Delay(300);
            var ttl = await _redis.Database.KeyTimeToLiveAsync(RedisKeys.ChildTurnLock(Child));
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromMilliseconds(1), lease);
        }
        Assert.Equal(token, await _redis.Database.StringGetAsync(RedisKeys.ChildTurnLock(Child)));
        Assert.Null(await _store.TryLockAsync(Child, "2-0", lease, CancellationToken.None));
    }

    [Fact]
    public async Task Only_the_holder_releases_or_renews_a_lock_that_ran_out_and_was_taken_by_another_turn()
    {
        var lease = TimeSpan.FromMilliseconds(600);
        var held = await _store.TryLockAsync(Child, "1-0", lease, CancellationToken.None);
        // Its lease ran out (a stalled worker) and another worker's turn took the child.
        await _redis.Database.StringSetAsync(RedisKeys.ChildTurnLock(Child), "another-turn", TimeSpan.FromSeconds(30));

        await Task.Delay(500); // a renewal tick or more
        var ttl = await _redis.Database.KeyTimeToLiveAsync(RedisKeys.ChildTurnLock(Child));
        Assert.True(ttl > TimeSpan.FromSeconds(20), $"the other turn's lock was not renewed as this one's ({ttl})");
        await held!.DisposeAsync();

        Assert.Equal("another-turn", await _redis.Database.StringGetAsync(RedisKeys.ChildTurnLock(Child)));
    }

    [Fact]
    public async Task A_renewal_Redis_refuses_is_tried_again_at_the_next_tick()
    {
        var lease = TimeSpan.FromMilliseconds(1500); // renewed every 500 ms
        await using var held = await _store.TryLockAsync(Child, "1-0", lease, CancellationToken.None);
        var token = await _redis.Database.StringGetAsync(RedisKeys.ChildTurnLock(Child));

        await _redis.AdminAsync("ACL", "SETUSER", "default", "-@scripting");
        try
        {
            await Task.Delay(700); // the tick at 500 ms fails
        }
        finally
        {
            await _redis.AdminAsync("ACL", "SETUSER", "default", "+@scripting");
        }
        await Task.Delay(2300); // well past the lease taken at the start

        Assert.Equal(token, await _redis.Database.StringGetAsync(RedisKeys.ChildTurnLock(Child)));
    }

    [Fact]
    public async Task A_release_Redis_refuses_is_no_failure_of_the_turn_and_the_lock_runs_out_by_itself()
    {
        var lease = TimeSpan.FromMilliseconds(900);
        var held = await _store.TryLockAsync(Child, "1-0", lease, CancellationToken.None);

        await _redis.AdminAsync("ACL", "SETUSER", "default", "-@scripting");
        try
        {
            await held!.DisposeAsync(); // does not throw
        }
        finally
        {
            await _redis.AdminAsync("ACL", "SETUSER", "default", "+@scripting");
        }
        Assert.True(await _redis.Database.KeyExistsAsync(RedisKeys.ChildTurnLock(Child)), "the release was refused");

        await Task.Delay(lease + TimeSpan.FromMilliseconds(300)); // no longer renewed
        Assert.False(await _redis.Database.KeyExistsAsync(RedisKeys.ChildTurnLock(Child)));
    }

    [Fact]
    public async Task Progress_is_kept_half_a_year_and_a_chosen_lesson_is_forgotten_only_if_still_chosen()
    {
        Assert.Null(await _store.LoadAsync(Child, CancellationToken.None));
        await _store.SaveAsync(Child, new ChildProgress { LessonId = "colours-en-for-es", StepId = "sky" }, CancellationToken.None);
        Assert.Equal("sky", (await _store.LoadAsync(Child, CancellationToken.None))!.StepId);
        Assert.InRange((await _redis.Database.KeyTimeToLiveAsync(RedisKeys.ChildProgress(Child)))!.Value, TimeSpan.FromDays(179), TimeSpan.FromDays(180));

        Assert.Null(await _store.ChosenLessonAsync(Child, CancellationToken.None));
        await _redis.Database.StringSetAsync(RedisKeys.ChosenLesson(Child), "animals-en");
        Assert.Equal("animals-en", await _store.ChosenLessonAsync(Child, CancellationToken.None));
        await _store.ForgetChosenLessonAsync(Child, "colours-en-for-es"); // the parent chose again meanwhile
        Assert.Equal("animals-en", await _store.ChosenLessonAsync(Child, CancellationToken.None));
        await _store.ForgetChosenLessonAsync(Child, "animals-en");
        Assert.Null(await _store.ChosenLessonAsync(Child, CancellationToken.None));
    }

    [Fact]
    public void A_turn_is_remembered_among_the_last_six_and_known_as_applied()
    {
        var at = DateTimeOffset.Parse("2026-12-02T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var progress = new ChildProgress();
        for (var i = 1; i <= 8; i++) progress = ChildProgressStore.Remember(progress, $"t{i}", $"child {i}", $"tutor {i}", at.AddMinutes(i));

        Assert.Equal(["t3", "t4", "t5", "t6", "t7", "t8"], progress.Recent.Select(t => t.TurnId));
        Assert.Equal(new ConversationTurn("child 8", "tutor 8", at.AddMinutes(8), "t8"), progress.Recent[^1]);
        Assert.Equal(at.AddMinutes(8), progress.UpdatedAt);
        Assert.True(ChildProgressStore.HasApplied(progress, "t8"));
        Assert.False(ChildProgressStore.HasApplied(progress, "t2"));
        Assert.False(ChildProgressStore.HasApplied(null, "t8"));
    }

    [Fact]
    public void Starting_a_chosen_lesson_leaves_the_one_under_way_and_keeps_what_the_child_learnt()
    {
        var inLesson = new ChildProgress
        {
            LessonId = "colours-en-for-es", StepId = "sky", Attempts = 2, Exchanges = 3, WordsMastered = ["red"], CompletedLessons = ["free-talk-en"],
        };

        var next = ChildProgressStore.StartNext(inLesson, "animals-en");

        Assert.Equal((null, null, 0, 0, "animals-en"), (next.LessonId, next.StepId, next.Attempts, next.Exchanges, next.ChosenLessonId));
        Assert.Equal(["red"], next.WordsMastered);
        Assert.Equal(["free-talk-en"], next.CompletedLessons);
        Assert.Equal("animals-en", ChildProgressStore.StartNext(null, "animals-en").ChosenLessonId);
    }

    private async Task<long> ScriptCallsAsync()
    {
        var calls = await _redis.CommandCallsAsync();
        return calls.GetValueOrDefault("evalsha") + calls.GetValueOrDefault("eval");
    }
}
