using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Tutor.Contracts.Transcripts;
using Tutor.Tests.Infrastructure;
using Tutor.Realtime.Transcripts;

namespace Tutor.Tests.Gateway;

/// <summary>Parents on the transcript hub see their own children and nobody else's.</summary>
public sealed class HubAccessTests() : GatewayTestBed
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Gateway.Families.Child("anna");
        Gateway.Families.Child("ben");
    }

    [Fact]
    public async Task Nobody_connects_without_signing_in()
    {
        await using var anonymous = new HubConnectionBuilder().WithUrl(new Uri(Gateway.BaseAddress, TranscriptHub.Path)).AddJsonProtocol(json => TranscriptBackplane.UseTutorJson(json.PayloadSerializerOptions))
            .Build();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync());

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task A_parent_follows_their_child_and_never_another_familys()
    {
        var (annasParent, heard) = await ConnectParentAsync("anna");

        await annasParent.InvokeAsync(nameof(TranscriptHub.Follow), "anna");
        var refused = await Assert.ThrowsAsync<HubException>(() => annasParent.InvokeAsync(nameof(TranscriptHub.Follow), "ben"));
        var unknown = await Assert.ThrowsAsync<HubException>(() => annasParent.InvokeAsync(nameof(TranscriptHub.Follow), "nobody"));
        await annasParent.InvokeAsync(nameof(TranscriptHub.Unfollow), "ben"); // leaving a group one is not in changes nothing

        Assert.Contains("cannot follow", refused.Message);
        Assert.Equal(refused.Message, unknown.Message);

        // What the workers send to each child's group (through the same hub context they use).
        var hub = Gateway.Services.GetRequiredService<IHubContext<TranscriptHub, ITranscriptClient>>();
        await hub.Clients.Group(TranscriptGroups.ForUser("ben")).ChildSaid(Line("ben", "a secret about ben"));
        await hub.Clients.Group(TranscriptGroups.ForUser("anna")).ChildSaid(Line("anna", "hello from anna"));
        await Eventually.HoldsAsync(() => Task.FromResult(heard.Count >= 1), "anna's parent hears anna");
        await Never.HappensAsync(() => heard.Count > 1, "anna's parent hearing ben", TimeSpan.FromMilliseconds(300));

        Assert.Equal(["hello from anna"], heard.Select(l => l.Text));
        // Each refusal is logged for the operator: who tried to follow which child.
        Assert.Equal(["ben", "nobody"], Gateway.Logs.GetSnapshot().Where(l => l.Id.Id == 3100
            && l.StructuredState!.Contains(new("Parent", TestFamilies.ParentOf("anna")))).Select(l => l.StructuredState!.Single(kv => kv.Key == "UserId").Value).Order());
        await annasParent.DisposeAsync();
    }

    [Fact]
    public async Task Unfollowing_or_leaving_ends_the_lines_and_the_access_checks_of_that_follow_only()
    {
        await using var checking = new GatewayHost(Redis, new Dictionary<string, string> { ["Families:AccessRecheckInterval"] = "00:00:01" }, Gateway.Families);
        Gateway.Families.Child("hanna");
        Gateway.Families.Child("ida", parentId: TestFamilies.ParentOf("hanna"));
        Gateway.Families.Child("jonas");
        var (parent, heard) = await ConnectParentAsync("hanna", checking);
        await parent.InvokeAsync(nameof(TranscriptHub.Follow), "hanna");
        await parent.InvokeAsync(nameof(TranscriptHub.Follow), "ida");
        var (leaving, _) = await ConnectParentAsync("jonas", checking);
        await leaving.InvokeAsync(nameof(TranscriptHub.Follow), "jonas");

        await parent.InvokeAsync(nameof(TranscriptHub.Unfollow), "ida");
        await parent.InvokeAsync(nameof(TranscriptHub.Unfollow), "not a child id!"); // nothing to leave: no error
        await leaving.DisposeAsync();
        var hub = checking.Services.GetRequiredService<IHubContext<TranscriptHub, ITranscriptClient>>();
        await hub.Clients.Group(TranscriptGroups.ForUser("ida")).ChildSaid(Line("ida", "after unfollowing"));
        await hub.Clients.Group(TranscriptGroups.ForUser("hanna")).ChildSaid(Line("hanna", "still followed"));
        await Eventually.HoldsAsync(() => Task.FromResult(!heard.IsEmpty), "the parent hears the child still followed");

        // Both lose access to the child they no longer follow: nobody is left to disconnect for it.
        foreach (var (child, guardian) in new[] { ("ida", "new-guardian"), ("jonas", "another-guardian") })
        {
            await GiveToAnotherParentAsync(child, guardian);
        }
        await Never.HappensAsync(() => parent.State != HubConnectionState.Connected, "the parent disconnected", TimeSpan.FromMilliseconds(2500));

        Assert.Equal(["still followed"], heard.Select(l => l.Text));
        Assert.DoesNotContain(checking.Logs.GetSnapshot(), l => l.Id.Id == 1104); // no follow was left on the access checks
    }

    [Fact]
    public async Task A_parent_whose_token_expires_is_disconnected_then()
    {
        await using var shortLived = new GatewayHost(Redis, new Dictionary<string, string> { ["Families:LocalTokenLifetime"] = "00:00:05" }, Gateway.Families);
        var (parent, _) = await ConnectParentAsync("anna", shortLived);
        var closed = new TaskCompletionSource();
        parent.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await parent.InvokeAsync(nameof(TranscriptHub.Follow), "anna");
        var followedAt = DateTime.UtcNow;

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.InRange(DateTime.UtcNow - followedAt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_parent_removed_from_a_child_stops_hearing_them_within_moments()
    {
        await using var checking = new GatewayHost(Redis, new Dictionary<string, string> { ["Families:AccessRecheckInterval"] = "00:00:01" }, Gateway.Families);
        Gateway.Families.Child("carl");
        var (parent, _) = await ConnectParentAsync("carl", checking);
        var closed = new TaskCompletionSource();
        parent.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await parent.InvokeAsync(nameof(TranscriptHub.Follow), "carl");
        // Still the parent: still watching, through more than one access check.
        await Never.HappensAsync(() => parent.State != HubConnectionState.Connected, "the parent disconnected", TimeSpan.FromMilliseconds(1500));

        await GiveToAnotherParentAsync("carl");

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Another_parent_leaving_or_unfollowing_does_not_end_the_access_checks_of_those_still_watching()
    {
        // The access checks keep a list of who follows which child: one parent going, or one child unfollowed, must take
        // only those entries off it — a parent left off it would keep hearing a child after losing access.
        await using var checking = new GatewayHost(Redis, new Dictionary<string, string> { ["Families:AccessRecheckInterval"] = "00:00:01" }, Gateway.Families);
        Gateway.Families.Child("dora");
        Gateway.Families.Child("emil");
        Gateway.Families.Child("fynn", parentId: TestFamilies.ParentOf("emil"));
        var (leaving, _) = await ConnectParentAsync("dora", checking);
        await leaving.InvokeAsync(nameof(TranscriptHub.Follow), "dora");
        var (staying, _) = await ConnectParentAsync("emil", checking);
        var closed = new TaskCompletionSource();
        staying.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await staying.InvokeAsync(nameof(TranscriptHub.Follow), "emil");
        await staying.InvokeAsync(nameof(TranscriptHub.Follow), "fynn");

        await leaving.DisposeAsync();
        await staying.InvokeAsync(nameof(TranscriptHub.Unfollow), "fynn");
        await GiveToAnotherParentAsync("emil");

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_check_that_cannot_be_made_keeps_the_parent_watching_and_an_ended_access_is_closed_once()
    {
        await using var checking = new GatewayHost(Redis, new Dictionary<string, string> { ["Families:AccessRecheckInterval"] = "00:00:01" }, Gateway.Families);
        Gateway.Families.Child("gina");
        var (parent, _) = await ConnectParentAsync("gina", checking);
        var closed = new TaskCompletionSource();
        parent.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await parent.InvokeAsync(nameof(TranscriptHub.Follow), "gina");
        bool Logged(int eventId) => checking.Logs.GetSnapshot().Any(l => l.Id.Id == eventId && l.StructuredState!.Contains(new("UserId", "gina")));

        // The families directory is away for a while and the cached profile gone: the check cannot decide either way.
        var away = Gateway.Families.Directory + "-away";
        Directory.Move(Gateway.Families.Directory, away);
        try
        {
            await Redis.Database.KeyDeleteAsync(Tutor.Contracts.Redis.RedisKeys.ChildProfile("gina"));
            await Eventually.HoldsAsync(() => Task.FromResult(Logged(1103)), "the check that could not be made is logged");
            await Never.HappensAsync(() => parent.State != HubConnectionState.Connected, "the parent disconnected", TimeSpan.FromMilliseconds(1500));
        }
        finally
        {
            Directory.Move(away, Gateway.Families.Directory);
        }
        Assert.False(Logged(1104));

        await GiveToAnotherParentAsync("gina");
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // two more checks: the closed follow is no longer on the list

        Assert.Single(checking.Logs.GetSnapshot(), l => l.Id.Id == 1104 && l.StructuredState!.Contains(new("UserId", "gina")));
    }

    [Fact]
    public async Task Signing_out_ends_the_token_on_every_gateway_and_closes_the_parents_live_view()
    {
        await using var checking = new GatewayHost(Redis, new Dictionary<string, string> { ["Families:AccessRecheckInterval"] = "00:00:01" }, Gateway.Families);
        var token = await checking.SignInAsync(TestFamilies.ParentOf("anna"));
        var (parent, _) = await ConnectParentAsync("anna", checking, token);
        var closed = new TaskCompletionSource();
        parent.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await parent.InvokeAsync(nameof(TranscriptHub.Follow), "anna");
        using var elsewhere = new HttpClient { BaseAddress = Gateway.BaseAddress };
        elsewhere.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await elsewhere.GetAsync("/api/me")).StatusCode);

        using var here = new HttpClient { BaseAddress = checking.BaseAddress };
        here.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await here.PostAsync("/api/auth/sign-out", null)).StatusCode);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await elsewhere.GetAsync("/api/me")).StatusCode);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(await Redis.KeysAsync($"*{token}*")); // only its fingerprint is kept
    }

    /// <summary>The family now names someone else as the child's parent, and the cached profile is refreshed.</summary>
    private async Task GiveToAnotherParentAsync(string child, string guardian = "new-guardian")
    {
        File.Delete(Path.Combine(Gateway.Families.Directory, $"{child}.json"));
        Gateway.Families.Child(child, parentId: guardian);
        await Redis.Database.KeyDeleteAsync(Tutor.Contracts.Redis.RedisKeys.ChildProfile(child));
    }

    private async Task<(HubConnection Connection, ConcurrentQueue<TranscriptLine> Heard)> ConnectParentAsync(string child, GatewayHost? gateway = null,
        string? token = null)
    {
        gateway ??= Gateway;
        token ??= await gateway.SignInAsync(TestFamilies.ParentOf(child));
        var heard = new ConcurrentQueue<TranscriptLine>();
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(gateway.BaseAddress, TranscriptHub.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .AddJsonProtocol(json => TranscriptBackplane.UseTutorJson(json.PayloadSerializerOptions))
            .Build();
        connection.On<TranscriptLine>(nameof(ITranscriptClient.ChildSaid), heard.Enqueue);
        connection.On<TranscriptLine>(nameof(ITranscriptClient.TutorSaid), heard.Enqueue);
        await connection.StartAsync();
        return (connection, heard);
    }

    private static TranscriptLine Line(string child, string text) => new(child, "session", "turn", text, DateTimeOffset.UtcNow);
}
