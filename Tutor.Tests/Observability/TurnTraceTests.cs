using System.Diagnostics;
using Tutor.Contracts.Diagnostics;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Observability;

/// <summary>
/// A turn on the dashboard: one trace across gateway, Redis and worker, its root named for what happened, its spans the
/// stages of the timeline with the engine of each — and the debug view's timings are the trace's.
/// </summary>
[Collection(AloneTests.Collection)]
public sealed class TurnTraceTests : TurnTestBed
{
    private const string ChildSaid = "it is red";
    private static readonly ExportedTelemetry GatewayTelemetry = new();
    private static readonly ExportedTelemetry WorkerTelemetry = new();

    public TurnTraceTests() : base(null, GatewayTelemetry.AddTo, WorkerTelemetry.AddTo)
    {
    }

    [Fact]
    public async Task A_right_answer_is_one_trace_named_for_its_step_and_judgement_with_the_stages_in_order()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var device = await Gateway.ConnectDeviceAsync("traced-child", cancellationToken: timeout.Token);
        await Redis.SeedProgressAsync("traced-child", "colours-en-for-es", "strawberry",
            new ConversationTurn("hola", "What colour is a strawberry? Di: red.", DateTimeOffset.UtcNow));
        OpenAi.NextTranscripts.Enqueue(ChildSaid);

        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromSeconds(1)), timeout.Token);
        var reply = await device.ListenForReplyAsync(timeout.Token);
        Assert.NotEmpty(reply.Sentences);

        await Eventually.HoldsAsync(() => Task.FromResult(GatewayTelemetry.Roots.Any(r => r.DisplayName.StartsWith("turn", StringComparison.Ordinal))),
            "the turn's trace ends");
        var root = Assert.Single(GatewayTelemetry.Roots, r => r.DisplayName.StartsWith("turn", StringComparison.Ordinal));
        Assert.Equal("turn colours-en-for-es/strawberry: correct", root.DisplayName);
        await Eventually.HoldsAsync(() => Task.FromResult(Spans(root).Any(s => s.DisplayName == TurnStages.FirstToken)), "the worker's spans are exported");
        var spans = Spans(root);

        // The stages, each a span of this trace, reached in the order of the timeline.
        string[] stages = [TurnStages.EndOfUtterance, TurnStages.Transcription, TurnStages.FirstToken, TurnStages.FirstSentence,
            TurnStages.FirstAudioSent, TurnStages.LastAudioSent];
        var reached = stages.Select(stage => Assert.Single(spans, s => s.DisplayName == stage)).ToList();
        for (var i = 1; i < reached.Count; i++)
        {
            Assert.True(End(reached[i]) >= End(reached[i - 1]), $"{stages[i]} ended before {stages[i - 1]}");
        }
        Assert.True(End(root) >= End(reached[^1]));
        Assert.Equal("OpenAiSpeechToText", reached[1].GetTagItem("tutor.engine"));
        Assert.Equal("ChatTutor", reached[2].GetTagItem("tutor.engine"));
        Assert.Contains(spans, s => s.OperationName == "tts" && (string?)s.GetTagItem("tutor.engine") == "OpenAiTextToSpeech");
        var turnProcess = Assert.Single(spans, s => s.OperationName == "turn process");
        var turnId = (string)root.GetTagItem("tutor.turn_id")!;
        Assert.Equal("turn colours-en-for-es/strawberry: correct", turnProcess.DisplayName);
        Assert.All(reached[2..4], stage => Assert.Equal(turnProcess.SpanId, stage.ParentSpanId)); // first token and sentence: the turn's own
        Assert.Equal(("colours-en-for-es", "strawberry", "correct"),
            (turnProcess.GetTagItem("tutor.lesson_id"), turnProcess.GetTagItem("tutor.step_id"), turnProcess.GetTagItem("tutor.judgement")));
        Assert.Equal(("answered", "traced-child", ActivityStatusCode.Unset),
            (turnProcess.GetTagItem("tutor.outcome"), turnProcess.GetTagItem("tutor.user_id"), turnProcess.Status));
        Assert.Equal(turnId, RedisKeys.TurnIdOf((string)turnProcess.GetTagItem("tutor.audio_key")!));
        Assert.Equal(RedisKeys.SessionOf((string)turnProcess.GetTagItem("tutor.audio_key")!), turnProcess.GetTagItem("tutor.session_id"));
        Assert.NotNull(turnProcess.GetTagItem("tutor.worker"));
        // Redis commands of the turn are in it, as children (the instrumentation exports them every 10 s).
        await Eventually.HoldsAsync(() => Task.FromResult(Spans(root).Any(s => s.Source.Name.Contains("Redis", StringComparison.Ordinal))),
            "the turn's Redis commands are exported under it", TimeSpan.FromSeconds(15));

        // The debug view's first audio is the trace's, to the clock's resolution.
        var firstAudioMs = (long)await Redis.Database.HashGetAsync(RedisKeys.TurnTiming(turnId), TurnTimingFields.FirstAudioSent);
        var traced = new DateTimeOffset(End(reached[4])).ToUnixTimeMilliseconds();
        Assert.InRange(firstAudioMs - traced, -50, 50);

        // Ids and judgements only: the child's words are in no name and no attribute.
        Assert.DoesNotContain(spans, s => s.DisplayName.Contains(ChildSaid, StringComparison.Ordinal)
            || s.TagObjects.Any(t => t.Value?.ToString()?.Contains(ChildSaid, StringComparison.Ordinal) == true));
    }

    // Both services run in this process, so each one's exporter also sees the other's spans: one of each, by span id.
    private static List<Activity> Spans(Activity root) =>
        [.. GatewayTelemetry.Activities.Concat(WorkerTelemetry.Activities).Where(s => s.TraceId == root.TraceId).DistinctBy(s => s.SpanId)];

    private static DateTime End(Activity span) => span.StartTimeUtc + span.Duration;
}
