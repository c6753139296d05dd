using System.Text.Json;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Workers;

/// <summary>
/// The offline tutor (no chat model) driving whole lessons through real worker hosts: speech goes through the OpenAI
/// stand-in so that the child's words can be scripted; the tutor itself uses no model.
/// </summary>
public sealed class OfflineLessonTests : WorkerTestBed
{
    private static readonly Dictionary<string, string> OfflineTutor = new() { ["Providers:Chat:Kind"] = "offline" };

    [Fact]
    public async Task The_offline_tutor_takes_a_child_through_a_whole_lesson()
    {
        await StartWorkersAsync(1, OfflineTutor);
        var sessionId = await Redis.OpenSessionAsync("lena");
        string[] childSays = ["hola", "red", "it is blue", "green", "yellow", "green", "thank you"];
        var replies = new List<List<string>>();

        foreach (var words in childSays) replies.Add(await TurnAsync(sessionId, words));

        Assert.Equal(ShippedLessons.OpeningOf("colours-en-for-es"), replies[0]);
        Assert.Equal(["Great job!", "Red!", "And the sky?", "What colour is the sky?"], replies[1]);
        Assert.StartsWith("Yes!", replies[2][0]);
        Assert.Equal(["El sol es amarillo.", "In English: yellow."], replies[3]); // "green" for the sun: the hint
        Assert.StartsWith("Wonderful!", replies[4][0]);
        Assert.Contains("Bye bye!", replies[5]);
        Assert.Equal(ShippedLessons.OpeningOf("free-talk-en"), replies[6]); // the next lesson opens
        // Each reply's end names the step the child answered and the judgement; an opening names the lesson it opens.
        Assert.Equal(("colours-en-for-es", null, "opened"), (_ends[0].LessonId, _ends[0].StepId, _ends[0].Outcome));
        Assert.Equal(("colours-en-for-es", "strawberry", "correct"), (_ends[1].LessonId, _ends[1].StepId, _ends[1].Outcome));
        Assert.Equal("colours-en-for-es", _ends[5].LessonId); // the lesson's last answer, not the lesson it leads to

        var progress = await Redis.ProgressOnceAsync("lena", p => p.LessonId == "free-talk-en", "the next lesson is saved");
        Assert.Equal(["colours-en-for-es"], progress.CompletedLessons);
        Assert.Equal(["blue", "green", "red", "yellow"], progress.WordsMastered.Order());
        Assert.Empty(OpenAi.ChatCompletions);
    }

    [Fact]
    public async Task A_new_session_resumes_where_the_child_left_off()
    {
        await StartWorkersAsync(1, OfflineTutor);
        var monday = await Redis.OpenSessionAsync("omar");
        await TurnAsync(monday, "hello");
        await TurnAsync(monday, "red");
        await Redis.Database.KeyDeleteAsync(RedisKeys.Session(monday)); // the device disconnects

        var tuesday = await Redis.OpenSessionAsync("omar");
        var reply = await TurnAsync(tuesday, "blue");

        Assert.StartsWith("Yes! Blue", string.Join(" ", reply));
        Assert.Equal("sun", (await Redis.ProgressOnceAsync("omar", p => p.StepId != "sky", "tuesday's answer is saved")).StepId);
    }

    [Fact]
    public async Task TwoWorkers_never_take_two_turns_of_one_child_at_once_and_only_the_newest_waits()
    {
        await StartWorkersAsync(2, OfflineTutor);
        OpenAi.SpeechDelay = TimeSpan.FromMilliseconds(150); // long turns, so that they would overlap
        using var counted = CountTurns([.. Workers]);
        var sessionId = await Redis.OpenSessionAsync("twins-mum");
        await Redis.Database.StringSetAsync(RedisKeys.ChildProgress("twins-mum"),
            JsonSerializer.Serialize(new ChildProgress { LessonId = "colours-en-for-es", StepId = "strawberry" }, TutorJson.Options));
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));

        var turns = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            OpenAi.NextTranscripts.Enqueue("repeat");
            turns.Add(RedisKeys.TurnIdOf(await AnnounceAsync(sessionId)));
        }
        // Every turn ends: answered, or superseded by a newer utterance (and the device told so).
        var ended = await events.WaitForAsync(m => m.Select(e => TutorJson.TryDeserialize<SessionEvent>(e.Message)!)
            .Count(e => e.Type is SessionEventTypes.ReplyEnd or SessionEventTypes.Error) == 4, Timeout);
        var endings = ended.Select(e => TutorJson.TryDeserialize<SessionEvent>(e.Message)!)
            .Where(e => e.Type is SessionEventTypes.ReplyEnd or SessionEventTypes.Error).ToList();
        var answered = endings.Where(e => e.Type == SessionEventTypes.ReplyEnd).Select(e => e.TurnId).ToList();
        Assert.All(endings.Where(e => e.Type == SessionEventTypes.Error), e => Assert.Equal(DeviceErrorCodes.Superseded, e.Code));
        Assert.Contains(turns[^1], answered); // the newest is always answered
        Assert.Equal(4, endings.Select(e => e.TurnId).Distinct().Count()); // each turn ended once
        // Whichever ran first, a superseded turn is older than one that was answered after it.
        Assert.All(endings.Where(e => e.Type == SessionEventTypes.Error), e => Assert.True(turns.IndexOf(e.TurnId!) < turns.IndexOf(answered[^1]!)));
        Assert.Equal(endings.Select(e => e.Type == SessionEventTypes.ReplyEnd ? "answered" : "superseded").Order(), (await counted.WaitForAsync(4)).Order());
        var supersededLogs = Workers.SelectMany(w => w.Logs.GetSnapshot()).Where(l => l.Id.Id == 2004).Select(l => l.Message).Order();
        Assert.Equal(endings.Where(e => e.Type == SessionEventTypes.Error).Select(e => $"Turn {e.TurnId} superseded by a newer utterance of the child").Order(), supersededLogs);

        // Each answered turn read the progress the one before it wrote: none lost to an overlap.
        var progress = await Redis.ProgressOnceAsync("twins-mum", p => p.Recent.Count >= answered.Count, "every answered turn is saved");
        Assert.Equal(answered.Count, progress.Recent.Count);
        Assert.All(progress.Recent, t => Assert.Equal("repeat", t.ChildSaid));
    }

    /// <summary>Each turn's end, as published by <see cref="TurnAsync"/>.</summary>
    private readonly List<SessionEvent> _ends = [];

    private async Task<List<string>> TurnAsync(string sessionId, string childSays)
    {
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        OpenAi.NextTranscripts.Enqueue(childSays);
        await AnnounceAsync(sessionId);
        var published = await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        _ends.Add(published.Select(e => TutorJson.TryDeserialize<SessionEvent>(e.Message)!).Single(e => e.Type == SessionEventTypes.ReplyEnd));
        return published.Select(e => TutorJson.TryDeserialize<SessionEvent>(e.Message)!)
            .Where(e => e.Type == SessionEventTypes.AudioResponse && e.Text is not null).Select(e => e.Text!).ToList();
    }

    private Task<string> AnnounceAsync(string sessionId) => Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.3)));
}
