using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Tutor.Contracts.Audio;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;
using Tutor.Workers.Turns;

namespace Tutor.Tests.Workers;

/// <summary>Workers on their own: a real Redis, real ffmpeg, and OpenAI reached through the SDK at the stand-in.</summary>
public sealed class TurnPipelineTests : WorkerTestBed
{
    private static readonly Dictionary<string, string> Models = new()
    {
        ["OpenAI:TranscriptionModel"] = "test-transcribe",
        ["OpenAI:ChatModel"] = "test-chat",
        ["OpenAI:SpeechModel"] = "test-tts",
        ["OpenAI:Voice"] = "sage",
        ["OpenAI:Language"] = "en",
    };

    /// <summary>One right answer ("it is red" to "what colour is a strawberry?") taken by one worker, up to its reply's end.</summary>
    private async Task<RightAnswerTurn> AnswerRightAsync()
    {
        await StartWorkersAsync(1, Models);
        using var turns = CountTurns(Workers[0]);
        var sessionId = await Redis.OpenSessionAsync("child-1");
        await Redis.SeedProgressAsync("child-1", "colours-en-for-es", "strawberry", new ConversationTurn("hola", "What colour is a strawberry? Di: red.", DateTimeOffset.UtcNow));
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        var pcm = TestAudio.Utterance(TimeSpan.FromSeconds(1.5));
        OpenAi.NextTranscripts.Enqueue("it is red");

        var audioKey = await Redis.AnnounceAsync(sessionId, pcm);

        var published = (await events.WaitForAsync(m => m.Any(e => Parse(e).Type == SessionEventTypes.ReplyEnd), Timeout)).Select(Parse).ToList();
        // Each sentence's speech streams in parts; the sentence's text comes with its first part.
        var sentences = new List<(string Text, List<SessionEvent> Parts)>();
        foreach (var part in published.Where(e => e.Type == SessionEventTypes.AudioResponse))
        {
            if (part.Text is not null) sentences.Add((part.Text, [part]));
            else sentences[^1].Parts.Add(part);
        }
        return new RightAnswerTurn(sessionId, audioKey, pcm, published, sentences, await turns.WaitForAsync(1));
    }

    private sealed record RightAnswerTurn(string SessionId, string AudioKey, byte[] Pcm, List<SessionEvent> Published,
        List<(string Text, List<SessionEvent> Parts)> Sentences, string[] Outcomes);

    [Fact]
    public async Task A_right_answer_is_answered_sentence_by_sentence_in_order_after_the_childs_words()
    {
        var turn = await AnswerRightAsync();

        Assert.Equal((SessionEventTypes.Transcript, "it is red"), (turn.Published[0].Type, turn.Published[0].Text));
        // The model's JSON reply, streamed and cut into sentences: its praise, then the lesson's praise and next question.
        Assert.Equal(["Well done!", "Great job!", "Red!", "And the sky?", "What colour is the sky?"], turn.Sentences.Select(s => s.Text));
        var parts = turn.Published.Where(e => e.Type == SessionEventTypes.AudioResponse).ToList();
        Assert.Equal(Enumerable.Range(0, parts.Count), parts.Select(p => p.Sequence ?? -1));
        Assert.All(turn.Published, e => Assert.Equal(RedisKeys.TurnIdOf(turn.AudioKey), e.TurnId));
        Assert.Equal(SessionEventTypes.ReplyEnd, turn.Published[^1].Type);
        await Eventually.HoldsAsync(async () => !await Redis.Database.KeyExistsAsync(turn.AudioKey), "the child's audio is deleted after the turn");
        Assert.Equal(["answered"], turn.Outcomes);
        // The log says how long the words were and how the turn went, never the words.
        var turnId = RedisKeys.TurnIdOf(turn.AudioKey);
        AssertLoggedOnce(Workers[0].Logs, 2009, $"Turn {turnId}: the child's words are known ({"it is red".Length} characters");
        AssertLoggedOnce(Workers[0].Logs, 2010, $"Turn {turnId}: correct; the tutor said");
        Assert.DoesNotContain(Workers[0].Logs.GetSnapshot(), l => l.Message.Contains("it is red", StringComparison.OrdinalIgnoreCase));
        Assert.False(await Redis.Database.KeyExistsAsync(RedisKeys.ChildTurnLock("child-1")), "the child is free for the next turn at once");
        // The debug view's timeline: when the worker took the turn, knew the words and wrote the first sentence, and who it was.
        var timing = (await Redis.Database.HashGetAllAsync(RedisKeys.TurnTiming(turnId))).ToDictionary(f => (string)f.Name!, f => (string)f.Value!);
        Assert.Equal(Workers[0].Services.GetRequiredService<UtteranceQueue>().WorkerId, timing[TurnTimingFields.Worker]);
        long At(string field) => long.Parse(timing[field], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(At(TurnTimingFields.Taken) <= At(TurnTimingFields.Transcribed) && At(TurnTimingFields.Transcribed) <= At(TurnTimingFields.ReplyStarted),
            string.Join(", ", timing.Select(f => $"{f.Key}={f.Value}")));
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - At(TurnTimingFields.Taken), 0, 60_000);
    }

    [Fact]
    public async Task Each_sentence_is_spoken_in_the_devices_format_first_120_ms_at_once_and_kept_for_a_minute()
    {
        var turn = await AnswerRightAsync();

        foreach (var (text, sentenceParts) in turn.Sentences)
        {
            var audio = new List<byte[]>();
            foreach (var part in sentenceParts)
            {
                Assert.Matches($"^response:{turn.SessionId}:[0-9a-f-]{{36}}$", part.AudioKey);
                Assert.NotNull(part.TraceParent);
                audio.Add((byte[])(await Redis.Database.StringGetAsync(part.AudioKey))!);
                Assert.InRange((await Redis.Database.KeyTimeToLiveAsync(part.AudioKey))!.Value, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(60));
            }
            // The stand-in spoke 24 kHz PCM; the worker resampled it to the device's 16 kHz PCM16, the same length in time,
            // and sent the first 120 ms at once.
            var expected = TestAudio.BytesFor(OpenAiStandIn.SpeechDuration(text));
            Assert.InRange(audio.Sum(a => a.Length), expected * 0.98 - 640, expected * 1.02 + 640);
            Assert.Equal(TestAudio.BytesFor(TimeSpan.FromMilliseconds(120)), audio[0].Length);
            Assert.All(audio, a => Assert.Equal(0, a.Length % 2));
        }
        Assert.Contains(turn.Sentences, s => s.Parts.Count > 1);
        Assert.Equal(5, OpenAi.Speeches.Count());
        Assert.All(OpenAi.Speeches, s => Assert.Equal(("test-tts", "sage", "pcm"),
            (s.Model, s.Json!["voice"]!.GetValue<string>(), s.Json["response_format"]!.GetValue<string>())));
    }

    [Fact]
    public async Task The_childs_audio_is_transcribed_once_as_sent_in_the_lessons_language()
    {
        var turn = await AnswerRightAsync();

        var transcription = Assert.Single(OpenAi.Transcriptions);
        Assert.Equal(("test-transcribe", "en"), (transcription.Model, transcription.Form["language"]));
        var uploaded = WavFile.ReadPcm16(transcription.File);
        Assert.Equal((16000, 1), (uploaded.SampleRate, uploaded.Channels));
        Assert.Equal(turn.Pcm, uploaded.Samples);
    }

    [Fact]
    public async Task The_model_is_asked_with_the_child_the_step_and_the_recent_turns_and_every_sentence_is_moderated()
    {
        await AnswerRightAsync();

        var chat = Assert.Single(OpenAi.ChatCompletions);
        Assert.Equal("test-chat", chat.Model);
        Assert.True(chat.Json!["stream"]!.GetValue<bool>());
        Assert.Equal("json_schema", chat.Json["response_format"]!["type"]!.GetValue<string>());
        var messages = chat.Json["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        var system = messages[0]!["content"]!.ToString();
        Assert.Contains("Child: Child child-1, age 7, native language es, learning en, level beginner", system);
        Assert.Contains("Current step: strawberry (ask)", system);
        Assert.Contains("Accepted answers: red | it is red | it's red", system);
        Assert.Equal("hola", messages[1]!["content"]!.ToString());
        Assert.Equal("it is red", messages[3]!["content"]!.ToString());
        Assert.Equal(6, OpenAi.Moderations.Count()); // the child's words and each of the model's sentences
    }

    [Fact]
    public async Task The_judgement_moves_the_lesson_on_and_remembers_the_turn()
    {
        await AnswerRightAsync();

        // Saved just after the reply's end is published.
        await Eventually.HoldsAsync(async () => (await Redis.LoadProgressAsync("child-1")).CorrectAnswers == 1, "the answer is saved");
        var progress = await Redis.LoadProgressAsync("child-1");
        Assert.Equal(("sky", 1), (progress.StepId, progress.CorrectAnswers));
        Assert.Contains("red", progress.WordsMastered);
        Assert.Equal("it is red", progress.Recent[^1].ChildSaid);
    }

    [Fact]
    public async Task With_severalWorkers_each_utterance_is_answered_exactly_once()
    {
        await StartWorkersAsync(3, Models);
        const int sessions = 4, utterancesPerSession = 3;
        var recorders = new Dictionary<string, PubSubRecorder>();
        for (var s = 0; s < sessions; s++)
        {
            var sessionId = await Redis.OpenSessionAsync($"child-{s}");
            recorders[sessionId] = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        }

        var announced = new List<string>();
        for (var u = 0; u < utterancesPerSession; u++)
        {
            foreach (var sessionId in recorders.Keys)
            {
                announced.Add(await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromMilliseconds(300 + 100 * u))));
            }
            // A child speaks again once answered (an utterance said over a waiting one would supersede it).
            foreach (var recorder in recorders.Values)
            {
                await recorder.WaitForAsync(m => m.Count(e => Parse(e).Type == SessionEventTypes.ReplyEnd) >= u + 1, Timeout);
            }
        }
        await Never.HappensAsync(() => OpenAi.Transcriptions.Count() > announced.Count
            || recorders.Values.Any(r => r.Messages.Count(e => Parse(e).Type == SessionEventTypes.ReplyEnd) > utterancesPerSession),
            "an utterance heard or answered twice", TimeSpan.FromMilliseconds(500));
        Assert.Equal(announced.Count, OpenAi.Transcriptions.Count());
        foreach (var recorder in recorders.Values)
        {
            var ends = recorder.Messages.Select(Parse).Where(e => e.Type == SessionEventTypes.ReplyEnd).ToList();
            Assert.Equal(utterancesPerSession, ends.Count);
            Assert.Equal(utterancesPerSession, ends.Select(e => e.TurnId).Distinct().Count());
            await recorder.DisposeAsync();
        }

        var takenBy = new HashSet<string>();
        foreach (var key in announced)
        {
            takenBy.Add((await Redis.Database.HashGetAsync(RedisKeys.TurnTiming(RedisKeys.TurnIdOf(key)), TurnTimingFields.Worker))!);
        }
        Assert.All(takenBy, w => Assert.StartsWith(Environment.MachineName, w)); // each taken by a worker
        Assert.Equal(0, await Redis.Database.StreamLengthAsync(Channels.PendingUtterances)); // and finished
    }

    [Fact]
    public async Task The_turn_continues_the_trace_the_gateway_started()
    {
        await StartWorkersAsync(1, Models);
        var sessionId = await Redis.OpenSessionAsync("child-traced");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom();
        var gatewaySpan = System.Diagnostics.ActivitySpanId.CreateRandom();
        var audioKey = RedisKeys.NewUtteranceAudio(sessionId);
        await Redis.Database.StringSetAsync(audioKey, TestAudio.Utterance(TimeSpan.FromSeconds(0.5)), RedisKeys.AudioLifetime);

        await Redis.PublishAnnouncementAsync(new UtteranceAnnouncement(sessionId, audioKey, $"00-{traceId}-{gatewaySpan}-01"));

        var parts = (await events.WaitForAsync(m => m.Any(e => Parse(e).Type == SessionEventTypes.ReplyEnd), Timeout))
            .Select(Parse).Where(e => e.Type == SessionEventTypes.AudioResponse).ToList();
        Assert.NotEmpty(parts);
        Assert.All(parts, p =>
        {
            var context = System.Diagnostics.ActivityContext.Parse(p.TraceParent!, null);
            Assert.Equal(traceId, context.TraceId);
            Assert.NotEqual(gatewaySpan, context.SpanId);
        });
    }

    [Fact]
    public async Task An_utterance_whose_audio_has_expired_is_not_worked_on_and_the_device_is_told_to_say_it_again()
    {
        await StartWorkersAsync(1, Models);
        using var turns = CountTurns(Workers[0]);
        var sessionId = await Redis.OpenSessionAsync("child-late");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        var audioKey = RedisKeys.NewUtteranceAudio(sessionId);

        await Redis.PublishAnnouncementAsync(new UtteranceAnnouncement(sessionId, audioKey));

        await Eventually.HoldsAsync(async () => await Redis.Database.StreamLengthAsync(Channels.PendingUtterances) == 0, "a worker took the utterance and finished it");
        await Never.HappensAsync(() => OpenAi.Requests.Any() || events.Messages.Count > 1, "work on expired audio, or a second event", TimeSpan.FromMilliseconds(300));
        Assert.Empty(OpenAi.Requests);
        var told = Parse(Assert.Single(events.Messages));
        Assert.Equal((SessionEventTypes.Error, DeviceErrorCodes.UtteranceNotStored, RedisKeys.TurnIdOf(audioKey)), (told.Type, told.Code, told.TurnId));
        Assert.Equal(["expired"], await turns.WaitForAsync(1));
        AssertLoggedOnce(Workers[0].Logs, 2001, audioKey);
    }

    [Fact]
    public async Task An_utterance_of_a_session_without_a_record_is_not_worked_on_and_the_device_is_told()
    {
        await StartWorkersAsync(1, Models);
        using var turns = CountTurns(Workers[0]);
        var sessionId = Guid.NewGuid().ToString("N"); // its record is gone (a Redis that restarted empty)
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));

        var audioKey = await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.3)));

        var told = Parse(Assert.Single(await events.WaitForAsync(m => m.Count > 0, Timeout)));
        Assert.Equal((SessionEventTypes.Error, DeviceErrorCodes.TurnFailed, RedisKeys.TurnIdOf(audioKey)), (told.Type, told.Code, told.TurnId));
        Assert.Empty(OpenAi.Requests);
        await Eventually.HoldsAsync(async () => !await Redis.Database.KeyExistsAsync(audioKey), "the child's audio is deleted");
        Assert.Equal(["session_gone"], await turns.WaitForAsync(1));
        await TurnsFinishedAsync();
        AssertLoggedOnce(Workers[0].Logs, 2002, audioKey);
    }

    [Fact]
    public async Task A_turn_whose_speech_engine_fails_is_told_to_the_device_once_counted_and_its_audio_deleted()
    {
        var telemetry = new ExportedTelemetry();
        await StartWorkersAsync(1, Models, telemetry.AddTo);
        using var turns = CountTurns(Workers[0]);
        using var engineErrors = Workers[0].Measurements<long>("tutor.worker.engine.errors");
        OpenAi.RefuseTranscriptions = true;
        var sessionId = await Redis.OpenSessionAsync("child-unheard");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));

        var audioKey = await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));

        var told = Parse(Assert.Single(await events.WaitForAsync(m => m.Count > 0, Timeout)));
        Assert.Equal((SessionEventTypes.Error, DeviceErrorCodes.TurnFailed, RedisKeys.TurnIdOf(audioKey)), (told.Type, told.Code, told.TurnId));
        Assert.Equal(["failed"], await turns.WaitForAsync(1));
        var engineError = Assert.Single(engineErrors.GetMeasurementSnapshot());
        Assert.Equal(("stt", "OpenAiSpeechToText"), (engineError.Tags["stage"], engineError.Tags["engine"]));
        AssertLoggedOnce(Workers[0].Logs, 2007, RedisKeys.TurnIdOf(audioKey));
        // On the dashboard: the turn's span marked failed, named by its ids.
        await Eventually.HoldsAsync(() => Task.FromResult(telemetry.Activities.Any(a => a.OperationName == "turn process"
            && (string?)a.GetTagItem("tutor.session_id") == sessionId)), "the turn's span is exported");
        var span = telemetry.Activities.Single(a => a.OperationName == "turn process" && (string?)a.GetTagItem("tutor.session_id") == sessionId);
        Assert.Equal((ActivityStatusCode.Error, "failed"), (span.Status, span.StatusDescription));
        Assert.Equal(("failed", audioKey, "child-unheard", Workers[0].Services.GetRequiredService<UtteranceQueue>().WorkerId),
            (span.GetTagItem("tutor.outcome"), span.GetTagItem("tutor.audio_key"), span.GetTagItem("tutor.user_id"), span.GetTagItem("tutor.worker")));
        await TurnsFinishedAsync();
        Assert.False(await Redis.Database.KeyExistsAsync(audioKey));
        await Never.HappensAsync(() => events.Messages.Count > 1 || OpenAi.Transcriptions.Count() > 1, "the turn tried or told again", TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task A_malformed_announcement_is_ignored_and_the_worker_goes_on()
    {
        await StartWorkersAsync(1, Models);
        var sessionId = await Redis.OpenSessionAsync("child-7");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));

        await Redis.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(Channels.AudioProcessing), "not json at all");
        await Redis.Database.StreamAddAsync(Channels.PendingUtterances, [new("not", "an utterance")]);
        await Redis.PublishAnnouncementAsync(new UtteranceAnnouncement(sessionId, "audio:someone-else:1234"));
        await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));

        await events.WaitForAsync(m => m.Any(e => Parse(e).Type == SessionEventTypes.ReplyEnd), Timeout);
        Assert.Single(OpenAi.Transcriptions);
        await Eventually.HoldsAsync(async () => await Redis.Database.StreamLengthAsync(Channels.PendingUtterances) == 0, "the malformed entries are dropped too");
    }

    [Theory]
    [InlineData("refused")]
    [InlineData("malformed")]
    [InlineData("unsafe")]
    public async Task When_the_model_fails_or_says_something_unsafe_the_lessons_own_words_are_said_instead(string failure)
    {
        await StartWorkersAsync(1, Models);
        OpenAi.RefuseChat = failure == "refused";
        OpenAi.Chat = failure == "malformed" ? ChatBehaviour.Malformed : failure == "unsafe" ? ChatBehaviour.Unsafe : ChatBehaviour.Tutor;
        var sessionId = await Redis.OpenSessionAsync("child-8");
        await Redis.SeedProgressAsync("child-8", "colours-en-for-es", "strawberry");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        OpenAi.NextTranscripts.Enqueue("green");

        var audioKey = await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));

        var published = (await events.WaitForAsync(m => m.Any(e => Parse(e).Type == SessionEventTypes.ReplyEnd), Timeout)).Select(Parse).ToList();
        var said = published.Where(e => e.Type == SessionEventTypes.AudioResponse && e.Text is not null).Select(e => e.Text!).ToList();
        // "green" is not a strawberry's colour: the lesson's hint, and nothing the model wrote.
        Assert.Equal(["La fresa es roja.", "In English: red.", "Say: red!"], said);
        Assert.DoesNotContain(published, e => e.Type == SessionEventTypes.Error);
        Assert.DoesNotContain(said, s => s.Contains(OpenAiStandIn.FlaggedWord, StringComparison.OrdinalIgnoreCase));
        // The progress is saved just after the reply's end is published (a reply never waits for the save).
        await Eventually.HoldsAsync(async () => (await Redis.LoadProgressAsync("child-8")).Attempts == 1, "the wrong answer is counted");
        Assert.Equal("strawberry", (await Redis.LoadProgressAsync("child-8")).StepId);
        await Eventually.HoldsAsync(async () => !await Redis.Database.KeyExistsAsync(audioKey), "the child's audio is deleted");
    }

    [Fact]
    public async Task Flagged_words_from_the_child_get_a_gentle_redirect_and_the_question_again()
    {
        await StartWorkersAsync(1, Models);
        var sessionId = await Redis.OpenSessionAsync("child-rude");
        await Redis.SeedProgressAsync("child-rude", "colours-en-for-es", "sky");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        OpenAi.NextTranscripts.Enqueue($"you are a {OpenAiStandIn.FlaggedWord}");

        await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));

        var published = (await events.WaitForAsync(m => m.Any(e => Parse(e).Type == SessionEventTypes.ReplyEnd), Timeout)).Select(Parse).ToList();
        Assert.Equal(["Usamos palabras bonitas, ¿vale?", "And the sky?", "What colour is the sky?"],
            published.Where(e => e.Type == SessionEventTypes.AudioResponse && e.Text is not null).Select(e => e.Text));
        Assert.Empty(OpenAi.ChatCompletions); // the model never saw it
        var end = published.Single(e => e.Type == SessionEventTypes.ReplyEnd);
        Assert.Equal(("colours-en-for-es", "sky", Tutor.Contracts.Transcripts.SafetyMarks.InputRedirected), (end.LessonId, end.StepId, end.Outcome));
        Assert.Equal(("sky", 0, 0), ((await Redis.LoadProgressAsync("child-rude")).StepId, (await Redis.LoadProgressAsync("child-rude")).Attempts, (await Redis.LoadProgressAsync("child-rude")).IncorrectAnswers));
    }

    [Fact]
    public async Task An_abort_stops_the_turn_in_flight_and_nothing_more_is_published_for_it()
    {
        await StartWorkersAsync(2, Models);
        using var turns = CountTurns([.. Workers]);
        OpenAi.SpeechDelay = TimeSpan.FromMilliseconds(600);
        var sessionId = await Redis.OpenSessionAsync("child-interrupting");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        await Redis.WaitForSubscribersAsync(Channels.TurnAborts, 2);

        var audioKey = await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.5)));
        await events.WaitForAsync(m => m.Any(e => Parse(e).Type == SessionEventTypes.AudioResponse), Timeout);
        await Redis.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(Channels.TurnAborts),
            TutorJson.Serialize(new TurnAbort(sessionId, RedisKeys.TurnIdOf(audioKey))));

        await Eventually.HoldsAsync(async () => !await Redis.Database.KeyExistsAsync(audioKey), "the aborted turn is over");
        // More than two speech requests' time: a turn still running would publish within it.
        await Never.HappensAsync(() => OpenAi.Speeches.Count() >= 3 || events.Messages.Select(Parse).Any(e => e.Type is SessionEventTypes.ReplyEnd or SessionEventTypes.Error),
            "the aborted turn going on", TimeSpan.FromMilliseconds(1500));
        var published = events.Messages.Select(Parse).ToList();
        Assert.Equal(1, published.Count(e => e.Type == SessionEventTypes.AudioResponse && e.Text is not null)); // one sentence began
        Assert.DoesNotContain(published, e => e.Type is SessionEventTypes.ReplyEnd or SessionEventTypes.Error);
        Assert.True(OpenAi.Speeches.Count() < 3, $"{OpenAi.Speeches.Count()} of the reply's six sentences were synthesized");
        Assert.Equal(["aborted"], await turns.WaitForAsync(1));
        AssertLoggedOnce(Workers.Single(w => w.Logs.GetSnapshot().Any(l => l.Id.Id == 2005)).Logs, 2005, RedisKeys.TurnIdOf(audioKey));
    }

    [Fact]
    public async Task A_turn_aborted_before_a_worker_takes_it_is_not_worked_on()
    {
        await StartWorkersAsync(1, Models);
        var sessionId = await Redis.OpenSessionAsync("child-quick-abort");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        var audioKey = RedisKeys.NewUtteranceAudio(sessionId);
        await Redis.Database.StringSetAsync(RedisKeys.TurnAborted(RedisKeys.TurnIdOf(audioKey)), sessionId, RedisKeys.AbortMemory);

        await Redis.Database.StringSetAsync(audioKey, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)), RedisKeys.AudioLifetime);
        await Redis.PublishAnnouncementAsync(new UtteranceAnnouncement(sessionId, audioKey));

        await Eventually.HoldsAsync(async () => !await Redis.Database.KeyExistsAsync(audioKey), "the turn is over");
        await Never.HappensAsync(() => OpenAi.Requests.Any() || events.Messages.Count > 0, "work on the aborted turn", TimeSpan.FromMilliseconds(300));
    }

    private static SessionEvent Parse(PublishedMessage message) =>
        JsonSerializer.Deserialize<SessionEvent>(message.Message, TutorJson.Options)!;
}
