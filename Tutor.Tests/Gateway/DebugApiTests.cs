using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>The developers' view of live sessions, read from the index of open sessions rather than a keyspace scan.</summary>
public sealed class DebugApiTests() : GatewayTestBed
{
    [Fact]
    public async Task A_developer_sees_open_sessions_and_a_closed_one_goes_without_a_walk_of_the_keyspace()
    {
        using var developer = await Gateway.ParentClientAsync(Gateway.Families.Developer());
        Gateway.Families.Child("listed-child");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("listed-child"));
        // Ten thousand unrelated keys: a scan would walk them all; the index does not see them.
        var batch = Redis.Database.CreateBatch();
        var writes = Enumerable.Range(0, 10_000).Select(i => batch.StringSetAsync($"unrelated:{i}", "x")).ToList();
        batch.Execute();
        await Task.WhenAll(writes);

        await using var open = await Gateway.ConnectDeviceAsync("listed-child");
        var closed = await Gateway.ConnectDeviceAsync("closed-child");
        var closedSession = closed.SessionId;
        await closed.DisposeAsync();
        await Eventually.HoldsAsync(async () => (await Redis.Database.SortedSetScoreAsync(RedisKeys.OpenSessions, closedSession)) is null, "the closed session left the index");

        var scansBefore = await KeyspaceWalksAsync();
        var sessions = await developer.GetFromJsonAsync<JsonElement>("/api/debug/sessions");
        var scansAfter = await KeyspaceWalksAsync();
        var listed = sessions.EnumerateArray().Select(s => (s.GetProperty("session_id").GetString(), s.GetProperty("user_id").GetString())).ToList();

        Assert.Equal([(open.SessionId, "listed-child")], listed);
        Assert.Equal(scansBefore, scansAfter);
        Assert.Equal(HttpStatusCode.Forbidden, (await parent.GetAsync("/api/debug/sessions")).StatusCode);
    }

    /// <summary>How many SCAN and KEYS commands Redis has served (INFO commandstats).</summary>
    private async Task<long> KeyspaceWalksAsync()
    {
        await using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{Redis.ConnectionString},allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var stats = (await server.InfoAsync("commandstats")).SelectMany(g => g);
        return stats.Where(s => s.Key is "cmdstat_scan" or "cmdstat_keys")
            .Sum(s => long.Parse(s.Value.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
