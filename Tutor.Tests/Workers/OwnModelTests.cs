using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Audio;
using StackExchange.Redis;
using Tutor.Contracts.Families;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Lessons;
using Tutor.Benchmarks.Models;
using Tutor.Tests.Infrastructure;
using Tutor.Workers.Lessons;
using Tutor.Workers.Providers;
using Tutor.Workers.Replies;
using Tutor.Workers.Speech;

namespace Tutor.Tests.Workers;

/// <summary>
/// The operator's own models in the worker (<c>Providers:SpeechToText:Kind whisper</c>, <c>Providers:Chat:Kind llama</c>),
/// on tiny random-weight files the tests write in the real formats: the real loading and inference code runs; what the
/// models say is noise, so the tests hold the plumbing to account — the file is loaded, inference runs and ends, the answer
/// keeps the tutor's shape — and the start check to its message.
/// </summary>
[Collection(EngineTests.Collection)]
public sealed class OwnModelTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tutor-models-").FullName;
    private readonly RedisServer _redis = new();

    private string WhisperModel => Path.Combine(_directory, "ggml-tiny-test.bin");
    private string LlamaModel => Path.Combine(_directory, "tiny-test.gguf");

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        RandomModels.WriteWhisper(WhisperModel);
        RandomModels.WriteLlama(LlamaModel);
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_whisper_model_file_is_loaded_once_and_transcribes_utterances_in_the_worker()
    {
        using var whisper = new WhisperSpeechToText(new ProviderChoice { ModelPath = WhisperModel, Threads = 1 }, NullLogger<WhisperSpeechToText>.Instance);
        var utterance = new PcmAudio(await TestSpeech.SayAsync("the sky is blue"), 16000, 1);

        // Twice on the one loaded model, with a step's prompt and language, then in free speech.
        var first = await whisper.TranscribeAsync(utterance, new RecognitionHints(["blue", "red"], "en"), CancellationToken.None);
        var second = await whisper.TranscribeAsync(utterance, new RecognitionHints([], null, FreeSpeech: true), CancellationToken.None);

        Assert.NotNull(first);
        Assert.NotNull(second);
        await Assert.ThrowsAsync<InvalidDataException>(() =>
            whisper.TranscribeAsync(new PcmAudio(new byte[3200], 8000, 1), RecognitionHints.None, CancellationToken.None));
    }

    [Theory]
    [InlineData(0.3, 64)]
    [InlineData(2.9, 192)]
    [InlineData(10, 544)]
    [InlineData(29.5, 1500)]
    [InlineData(60, 1500)]
    public void Whisper_encodes_the_utterance_and_half_a_second_not_its_whole_thirty_second_window(double seconds, int positions)
    {
        Assert.Equal(positions, WhisperSpeechToText.AudioContextFor(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public async Task A_llama_model_file_answers_as_the_tutor_in_its_json_sentence_by_sentence_and_judged()
    {
        using var llama = new LlamaTutor(new ProviderChoice { ModelPath = LlamaModel, Threads = 1, ContextSize = 2048 }, NullLogger<LlamaTutor>.Instance);
        var engine = Engine;
        var child = new ChildProfile("mia", "Mia", 7, "es", "en", "beginner", ["p"], []);
        var progress = engine.Apply(null, child, Judgement.Unclear).Progress;
        var (lesson, step) = engine.Position(progress)!.Value;
        var request = TutorRequest.For(engine, child, lesson, step, progress, "red");

        var events = new List<TutorEvent>();
        await foreach (var tutorEvent in llama.RespondAsync(request, CancellationToken.None)) events.Add(tutorEvent);

        // Random weights write nonsense, but the grammar holds it to the tutor's answer: sentences, then one judgement.
        var said = events.OfType<Said>().ToList();
        Assert.NotEmpty(said);
        Assert.All(said, s => Assert.True(s.WrittenByModel));
        Assert.InRange(said.Sum(s => s.Sentence.Length), 1, LlamaTutor.MaxReplyCharacters);
        Assert.IsType<Judged>(events[^1]);
        Assert.Single(events.OfType<Judged>());
    }

    [Fact]
    public async Task A_worker_on_its_own_models_takes_turns_with_no_server_and_no_account()
    {
        await using var worker = new WorkerHost(_redis, openAi: null, new Dictionary<string, string>
        {
            ["Providers:SpeechToText:Kind"] = "whisper",
            ["Providers:SpeechToText:ModelPath"] = WhisperModel,
            ["Providers:Chat:Kind"] = "llama",
            ["Providers:Chat:ModelPath"] = LlamaModel,
            ["Providers:Chat:ContextSize"] = "2048",
            ["Providers:SpeechToText:Threads"] = "1",
            ["Providers:Chat:Threads"] = "1",
            // Random weights are never sure of what they heard: judge every answer, so the Llama model writes the reply.
            ["Lessons:MinConfidence"] = "0",
        });
        await _redis.WaitForSubscribersAsync(Channels.AudioProcessing, 1);
        var sessionId = Guid.NewGuid().ToString("N");
        await _redis.Database.HashSetAsync(RedisKeys.Session(sessionId), [new(SessionFields.UserId, "own-model-child")]);
        await using var events = await PubSubRecorder.StartAsync(_redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));

        // The first turn opens the lesson; the second is heard by Whisper and answered by the Llama model.
        for (var turn = 1; turn <= 2; turn++)
        {
            var audioKey = RedisKeys.NewUtteranceAudio(sessionId);
            await _redis.Database.StringSetAsync(audioKey, await TestSpeech.SayAsync("red"), RedisKeys.AudioLifetime);
            await _redis.PublishAnnouncementAsync(new UtteranceAnnouncement(sessionId, audioKey));
            await events.WaitForAsync(m => m.Count(e => e.Message.Contains("\"reply_end\"")) == turn, TimeSpan.FromSeconds(60));
        }

        Assert.DoesNotContain(events.Messages, e => e.Message.Contains("\"error\""));
        var progress = System.Text.Json.JsonSerializer.Deserialize<ChildProgress>(
            (await _redis.Database.StringGetAsync(RedisKeys.ChildProgress("own-model-child"))).ToString(), TutorJson.Options)!;
        Assert.Equal(2, progress.Recent.Count);
        // The model's words, not the lesson's own (which would mean its answer was refused and replaced).
        var child = new ChildProfile("own-model-child", "", null, null, null, null, [], []);
        var opened = Engine.Apply(null, child, Judgement.Unclear).Progress;
        Assert.DoesNotContain(progress.Recent[1].TutorSaid,
            new[] { Judgement.Correct, Judgement.Incorrect, Judgement.Unclear }.Select(j => Engine.Apply(opened, child, j).Reply));
        Assert.DoesNotContain(ShippedLessons.Get(opened.LessonId!).Pardon, progress.Recent[1].TutorSaid);
    }

    [Fact]
    public void A_missing_or_broken_model_file_stops_the_worker_naming_the_file()
    {
        var broken = Path.Combine(_directory, "broken.bin");
        File.WriteAllBytes(broken, new byte[4096]);
        var missing = Path.Combine(_directory, "nowhere.gguf");

        var noWhisper = StartFailure(("Providers:SpeechToText:Kind", "whisper"), ("Providers:SpeechToText:ModelPath", missing));
        var brokenWhisper = StartFailure(("Providers:SpeechToText:Kind", "whisper"), ("Providers:SpeechToText:ModelPath", broken));
        var brokenLlama = StartFailure(("Providers:Chat:Kind", "llama"), ("Providers:Chat:ModelPath", broken));
        var unset = StartFailure(("Providers:Chat:Kind", "llama"));
        var wrongJob = StartFailure(("Providers:TextToSpeech:Kind", "llama"));

        Assert.Contains($"The model file '{missing}' (Providers:SpeechToText:ModelPath) does not exist", noWhisper);
        Assert.Contains($"The model file '{broken}' could not be loaded as a whisper.cpp ggml model", brokenWhisper);
        Assert.Contains($"The model file '{broken}' could not be loaded as a GGUF chat model", brokenLlama);
        Assert.Contains("Providers:Chat:ModelPath is not set", unset);
        Assert.Contains("Providers:TextToSpeech:Kind is 'llama'; it must be offline, openai.", wrongJob);
    }

    private static readonly LessonEngine Engine = new(new LessonCatalog(
        Options.Create(new LessonOptions { Directory = ShippedLessons.Directory }), new HostingEnvironment { ContentRootPath = "/" }));

    private string StartFailure(params (string Key, string Value)[] settings) =>
        Assert.ThrowsAny<Exception>(() => new WorkerHost(_redis, openAi: null, settings.ToDictionary(s => s.Key, s => s.Value))).ToString();
}
