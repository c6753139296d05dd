using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Lessons;

/// <summary>A parent sees the lessons that fit a child and picks the next one; the worker starts it on the next turn.</summary>
public sealed class LessonChoiceTests() : TurnTestBed
{
    [Fact]
    public async Task A_parent_chooses_the_next_lesson_and_the_childs_next_turn_opens_it()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var device = await Gateway.ConnectDeviceAsync("choosing-child", cancellationToken: timeout.Token);
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("choosing-child"), timeout.Token);
        var pcm = TestAudio.Utterance(TimeSpan.FromMilliseconds(800));
        await device.SpeakAsync(pcm, timeout.Token);
        var first = await device.ListenForReplyAsync(timeout.Token);
        Assert.Equal(ShippedLessons.OpeningOf("colours-en-for-es"), first.Sentences);

        var before = await LessonsAsync(parent, timeout.Token);
        Assert.True(before["colours-en-for-es"].GetProperty("current").GetBoolean());
        Assert.True(before["free-talk-en"].GetProperty("fits").GetBoolean()); // the child learns English
        Assert.False(before["animals-es-for-en"].GetProperty("fits").GetBoolean()); // that one teaches Spanish
        Assert.Equal("colours-en-for-es", before.Keys.First()); // in the child's language, explained in theirs, first

        var chosen = await parent.PutAsJsonAsync("/api/children/choosing-child/lessons/next", new { lesson_id = "free-talk-en" }, timeout.Token);
        Assert.Equal(HttpStatusCode.NoContent, chosen.StatusCode);
        Assert.True((await LessonsAsync(parent, timeout.Token))["free-talk-en"].GetProperty("chosen_next").GetBoolean());

        await device.SpeakAsync(pcm, timeout.Token);
        var next = await device.ListenForReplyAsync(timeout.Token);

        Assert.Equal(ShippedLessons.OpeningOf("free-talk-en"), next.Sentences);
        var after = await LessonsAsync(parent, timeout.Token);
        Assert.True(after["free-talk-en"].GetProperty("current").GetBoolean());
        Assert.False(after["free-talk-en"].GetProperty("chosen_next").GetBoolean());
        Assert.False(await Redis.Database.KeyExistsAsync(RedisKeys.ChosenLesson("choosing-child")));
    }

    [Fact]
    public async Task Only_a_childs_parent_chooses_and_only_a_lesson_that_exists()
    {
        Gateway.Families.Child("chosen-for");
        Gateway.Families.Child("someone-else");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("chosen-for"));
        using var stranger = await Gateway.ParentClientAsync(TestFamilies.ParentOf("someone-else"));
        await Eventually.HoldsAsync(async () => await Redis.Database.HashLengthAsync(RedisKeys.LessonCatalog) > 0, "the workers published their lessons");

        var unknown = await parent.PutAsJsonAsync("/api/children/chosen-for/lessons/next", new { lesson_id = "no-such-lesson" });
        var notTheirs = await stranger.PutAsJsonAsync("/api/children/chosen-for/lessons/next", new { lesson_id = "free-talk-en" });
        var peek = await stranger.GetAsync("/api/children/chosen-for/lessons");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, notTheirs.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, peek.StatusCode);
        Assert.False(await Redis.Database.KeyExistsAsync(RedisKeys.ChosenLesson("chosen-for")));
    }

    private static async Task<Dictionary<string, JsonElement>> LessonsAsync(HttpClient parent, CancellationToken cancellationToken) =>
        (await parent.GetFromJsonAsync<JsonElement>("/api/children/choosing-child/lessons", cancellationToken)).EnumerateArray()
            .ToDictionary(l => l.GetProperty("id").GetString()!);
}
