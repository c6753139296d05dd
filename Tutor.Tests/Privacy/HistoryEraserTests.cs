using System.Diagnostics;
using System.Net;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Privacy;

/// <summary>
/// Deleting a child's history, or the child, waits for a turn under way (which holds the child's turn lock) — but only
/// for <c>Families:EraseMaxWait</c>, then says "try again" with nothing deleted; and it never keeps the child locked.
/// </summary>
public sealed class HistoryEraserTests() : GatewayTestBed(new Dictionary<string, string> { ["Families:EraseMaxWait"] = "00:00:01" })
{
    [Fact]
    public async Task A_turn_holding_the_child_longer_than_the_wait_gets_a_503_and_nothing_is_deleted()
    {
        Gateway.Families.Child("held-child");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("held-child"));
        await Redis.Database.StreamAddAsync(RedisKeys.History("held-child"), "line", "{}");
        await Redis.Database.StringSetAsync(RedisKeys.ChildTurnLock("held-child"), "a-long-turn", TimeSpan.FromMinutes(1));
        var before = await Redis.CommandCallsAsync();

        var waited = Stopwatch.StartNew();
        var history = await parent.DeleteAsync("/api/children/held-child/history");
        var historyWait = waited.Elapsed;
        var child = await parent.DeleteAsync("/api/children/held-child");
        var after = await Redis.CommandCallsAsync();

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable), (history.StatusCode, child.StatusCode));
        Assert.Contains("try again", await history.Content.ReadAsStringAsync());
        Assert.InRange(historyWait, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Equal(1, await Redis.Database.StreamLengthAsync(RedisKeys.History("held-child")));
        Assert.Equal("a-long-turn", await Redis.Database.StringGetAsync(RedisKeys.ChildTurnLock("held-child")));
        Assert.Equal(HttpStatusCode.OK, (await parent.GetAsync("/api/children/held-child/progress")).StatusCode); // the child is still there
        // It asks again every 50 ms or so while it waits (about 20 a second for each of the two), not in a tight loop.
        var tries = after.GetValueOrDefault("set") - before.GetValueOrDefault("set");
        Assert.InRange(tries, 10, 100);
    }

    [Fact]
    public async Task A_turn_ending_within_the_wait_is_waited_for_and_the_child_is_not_left_locked()
    {
        Gateway.Families.Child("busy-child");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("busy-child"));
        await Redis.Database.StreamAddAsync(RedisKeys.History("busy-child"), "line", "{}");
        await Redis.Database.StringSetAsync(RedisKeys.ChildTurnLock("busy-child"), "a-short-turn", TimeSpan.FromMilliseconds(400));

        var history = await parent.DeleteAsync("/api/children/busy-child/history");

        Assert.Equal(HttpStatusCode.NoContent, history.StatusCode);
        Assert.False(await Redis.Database.KeyExistsAsync(RedisKeys.History("busy-child")));
        Assert.False(await Redis.Database.KeyExistsAsync(RedisKeys.ChildTurnLock("busy-child"))); // the next turn need not wait
    }
}
