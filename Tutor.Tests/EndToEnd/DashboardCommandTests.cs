using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Tutor.Contracts.Diagnostics;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.EndToEnd;

/// <summary>The dashboard's buttons, pressed through Aspire's own command API, as the dashboard presses them.</summary>
[Collection(TutorApp.Collection)]
public sealed class DashboardCommandTests(TutorAppFixture system)
{
    [Fact]
    public async Task Say_hello_is_a_real_turn_of_the_demo_child_whose_trace_reaches_the_dashboard_with_its_stages()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        // The demo family, as the AppHost ships it (the fixture's families directory holds only the tests' own).
        File.Copy(Path.Combine(RepositoryRoot(), "Tutor.Gateway", "families", "demo.json"), Path.Combine(system.Families.Directory, "demo.json"), overwrite: true);
        var db = system.Redis.GetDatabase();
        await db.KeyDeleteAsync([RedisKeys.ChildProgress(DemoCommands.DemoChild), RedisKeys.History(DemoCommands.DemoChild)]);
        var commands = system.App.Services.GetRequiredService<ResourceCommandService>();

        var result = await commands.ExecuteCommandAsync("device", DemoCommands.SayHello, timeout.Token);

        Assert.True(result.Success, result.Message);
        // A real turn: the lesson opened for the demo child, and the gateway recorded its first audio.
        Assert.NotNull((await db.StringGetAsync(RedisKeys.ChildProgress(DemoCommands.DemoChild))).ToString());
        var turnIds = (await db.ListRangeAsync(RedisKeys.RecentTurns, 0, 50)).Select(t => t.ToString()).ToList();
        var timings = await Task.WhenAll(turnIds.Select(t => db.HashGetAllAsync(RedisKeys.TurnTiming(t))));
        var demoTurn = turnIds.Zip(timings).Single(t => t.Second.Any(f => f.Name == TurnTimingFields.UserId && f.Value == DemoCommands.DemoChild));
        Assert.Contains(demoTurn.Second, f => f.Name == TurnTimingFields.FirstAudioSent);
        // Its trace, as the dashboard receives it: the root named for what happened (a new child: the lesson opened) and
        // the stages — no model was asked, so there is no first token.
        // The turn's id (an attribute of its root) ties the export to this turn, not another test's.
        string[] expected = [demoTurn.First, "turn colours-en-for-es/-: opened", TurnStages.EndOfUtterance, TurnStages.Transcription, TurnStages.FirstSentence,
            TurnStages.FirstAudioSent, TurnStages.LastAudioSent];
        await Eventually.HoldsAsync(() => Task.FromResult(expected.All(system.Telemetry.Traces.Contains)),
            "the turn's trace is exported: missing " + string.Join(", ", expected.Where(e => !system.Telemetry.Traces.Contains(e))), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Reset_on_the_workers_forgets_the_demo_childs_progress()
    {
        var db = system.Redis.GetDatabase();
        await db.StringSetAsync(RedisKeys.ChildProgress(DemoCommands.DemoChild), """{"lesson_id":"colours-en-for-es","step_id":"sky"}""");

        // The workers are replicas: the command is the resource's, run once for it.
        var workers = system.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == "workers");
        var result = await system.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(workers, DemoCommands.ResetProgress);

        Assert.True(result.Success, result.Message);
        Assert.False(await db.KeyExistsAsync(RedisKeys.ChildProgress(DemoCommands.DemoChild)));
    }

    [Fact]
    public async Task The_gateways_links_are_named_for_what_a_developer_opens_them_for()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var gateway = await system.App.ResourceNotifications.WaitForResourceAsync("gateway",
            e => e.Snapshot.Urls.Any(u => u.DisplayProperties.DisplayName == "Device socket"), timeout.Token);

        var links = gateway.Snapshot.Urls.ToDictionary(u => u.DisplayProperties.DisplayName, u => u.Url);
        Assert.EndsWith("/?parent=demo-parent", links["Parents' page"], StringComparison.Ordinal);
        Assert.EndsWith("/?parent=developer", links["Debug view"], StringComparison.Ordinal);
        Assert.Equal(new Uri(system.Gateway, "/ws/demo-child").ToString().Replace("http://", "ws://", StringComparison.Ordinal), links["Device socket"]);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Tutor.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Tutor.sln not found above the test's directory.");
    }
}
