using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Privacy;

/// <summary>A child's conversation history as the parents' page reads and deletes it, with a real turn running meanwhile.</summary>
public sealed class HistoryTests() : TurnTestBed
{
    [Fact]
    public async Task The_history_pages_from_a_line_id_and_a_malformed_one_is_a_400()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var device = await Gateway.ConnectDeviceAsync("paged-child", cancellationToken: timeout.Token);
        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromMilliseconds(800)), timeout.Token);
        await device.ListenForReplyAsync(timeout.Token);
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("paged-child"), timeout.Token);

        var lines = await HistoryAsync(parent, "paged-child", "", timeout.Token);
        var after = await HistoryAsync(parent, "paged-child", $"?after={lines[0].GetProperty("id").GetString()}", timeout.Token);
        var malformed = await parent.GetAsync("/api/children/paged-child/history?after=yesterday", timeout.Token);

        Assert.Equal(2, lines.Count); // the child's line and the tutor's
        Assert.Single(after);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("line id", await malformed.Content.ReadAsStringAsync(timeout.Token));
    }

    [Fact]
    public async Task Deleting_history_while_a_turn_runs_leaves_nothing_of_that_turn_either()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var device = await Gateway.ConnectDeviceAsync("erased-child", cancellationToken: timeout.Token);
        var pcm = TestAudio.Utterance(TimeSpan.FromMilliseconds(800));
        await device.SpeakAsync(pcm, timeout.Token);
        await device.ListenForReplyAsync(timeout.Token);
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("erased-child"), timeout.Token);
        Assert.NotEmpty(await HistoryAsync(parent, "erased-child", "", timeout.Token));

        // The next turn is slow to speak; the parent deletes the history once the child's words are known.
        OpenAi.SpeechDelay = TimeSpan.FromSeconds(1);
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(device.SessionId)));
        await device.SpeakAsync(pcm, timeout.Token);
        await events.WaitForAsync(m => m.Any(e => TutorJson.TryDeserialize<SessionEvent>(e.Message)?.Type == SessionEventTypes.Transcript), TimeSpan.FromSeconds(20));
        var deleted = await parent.DeleteAsync("/api/children/erased-child/history", timeout.Token);
        await device.ListenForReplyAsync(timeout.Token);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Never.HappensAsync(async () => (await HistoryAsync(parent, "erased-child", "", timeout.Token)).Any(),
            "a line of the erased turn written", TimeSpan.FromMilliseconds(500));
        var progress = TutorJson.TryDeserialize<ChildProgress>(await Redis.Database.StringGetAsync(RedisKeys.ChildProgress("erased-child")))!;
        Assert.Empty(progress.Recent);
        Assert.NotNull(progress.LessonId); // the lesson's place is kept: only the conversation is gone
    }

    private static async Task<List<JsonElement>> HistoryAsync(HttpClient parent, string child, string query, CancellationToken cancellationToken) =>
        [.. (await parent.GetFromJsonAsync<JsonElement>($"/api/children/{child}/history{query}", cancellationToken)).EnumerateArray()];
}
