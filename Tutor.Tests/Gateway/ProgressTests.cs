using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>What the parents' page reads of a child's lessons: the progress the workers saved and the facts of each turn.</summary>
public sealed class ProgressTests() : GatewayTestBed
{
    [Fact]
    public async Task The_progress_is_what_the_workers_saved_and_a_child_without_turns_has_no_date()
    {
        Gateway.Families.Child("progressing");
        Gateway.Families.Child("progressing-sibling", parentId: TestFamilies.ParentOf("progressing"));
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("progressing"));
        var updated = DateTimeOffset.UtcNow.AddMinutes(-3);
        await Redis.Database.WriteChildProgressAsync("progressing", new ChildProgress
        {
            LessonId = "greetings", LessonTitle = "Greetings", StepId = "hello", StepNumber = 2, StepCount = 5,
            WordsMet = ["hello", "bye"], WordsMastered = ["hello"], CorrectAnswers = 3, IncorrectAnswers = 1, UpdatedAt = updated,
        }, lifetime: null, CancellationToken.None);

        var progress = await parent.GetFromJsonAsync<JsonElement>("/api/children/progressing/progress");
        var none = await parent.GetFromJsonAsync<JsonElement>("/api/children/progressing-sibling/progress");

        Assert.Equal(("greetings", 2, 5, 3, 1), (progress.GetProperty("lesson_id").GetString(), progress.GetProperty("step_number").GetInt32(),
            progress.GetProperty("step_count").GetInt32(), progress.GetProperty("correct_answers").GetInt32(), progress.GetProperty("incorrect_answers").GetInt32()));
        Assert.Equal(["hello"], progress.GetProperty("words_mastered").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(updated.ToUnixTimeMilliseconds(), progress.GetProperty("updated_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal("Child progressing-sibling", none.GetProperty("name").GetString());
        Assert.False(none.TryGetProperty("lesson_id", out _));
        Assert.False(none.TryGetProperty("updated_at", out _)); // never "0001-01-01"
    }

    [Fact]
    public async Task The_facts_cover_the_days_asked_for_14_by_default_and_1_to_90_only()
    {
        Gateway.Families.Child("counted");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("counted"));
        var now = DateTimeOffset.UtcNow;
        foreach (var (turn, daysAgo) in new[] { ("long-ago", 100.0), ("three-weeks", 20.0), ("this-week", 3.0), ("today", 0.01) })
        {
            var at = now.AddDays(-daysAgo);
            var fact = new TurnFact(turn, at, "greetings", "Greetings", "correct", [], 900, 1);
            await Redis.Database.StreamAddAsync(RedisKeys.TurnFacts("counted"), "fact", JsonSerializer.Serialize(fact, TutorJson.Options),
                messageId: $"{at.ToUnixTimeMilliseconds()}-0");
        }

        Assert.Equal(["this-week", "today"], await FactsAsync(parent, ""));
        Assert.Equal(["today"], await FactsAsync(parent, "?days=1"));
        Assert.Equal(["three-weeks", "this-week", "today"], await FactsAsync(parent, "?days=30"));
        Assert.Equal(["three-weeks", "this-week", "today"], await FactsAsync(parent, "?days=90"));
        foreach (var days in new[] { 0, 91, -1 })
        {
            var refused = await parent.GetAsync($"/api/children/counted/facts?days={days}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("1 to 90", await refused.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task The_lessons_in_the_childs_languages_come_first_and_each_group_by_title()
    {
        Gateway.Families.Child("learner"); // learns English (en), speaks Spanish (es)
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("learner"));
        foreach (var (id, title, target, instruction) in new[]
        {
            ("zoo", "Zoo", "en", "es"), ("bonjour", "Bonjour", "fr", "es"), ("music", "Music", "en", "en"), ("animals", "Animals", "en", "es"),
        })
        {
            await Redis.Database.HashSetAsync(RedisKeys.LessonCatalog, id,
                JsonSerializer.Serialize(new LessonSummary(id, title, target, instruction, "beginner", 3, []), TutorJson.Options));
        }

        var lessons = (await parent.GetFromJsonAsync<JsonElement>("/api/children/learner/lessons")).EnumerateArray().ToList();

        Assert.Equal(["animals", "zoo", "music", "bonjour"], lessons.Select(l => l.GetProperty("id").GetString()));
        Assert.Equal([true, true, true, false], lessons.Select(l => l.GetProperty("fits").GetBoolean()));
    }

    private static async Task<List<string?>> FactsAsync(HttpClient parent, string query) =>
        [.. (await parent.GetFromJsonAsync<JsonElement>($"/api/children/counted/facts{query}")).EnumerateArray().Select(f => f.GetProperty("turn_id").GetString())];
}
