using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using StackExchange.Redis;
using Tutor.Contracts.Audio;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Transcripts;
using Tutor.Device;
using Tutor.Tests.Infrastructure;
using Tutor.Realtime.Transcripts;

namespace Tutor.Tests.EndToEnd;

/// <summary>A device and a parent against the whole system started by the AppHost.</summary>
[Collection(TutorApp.Collection)]
public sealed class ConversationTests(TutorAppFixture system)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_device_speaks_hears_the_reply_in_its_format_and_a_parent_sees_both_lines()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var transcript = new ConcurrentQueue<(string Speaker, TranscriptLine Line)>();
        var progress = new ConcurrentQueue<ProgressUpdate>();
        var parentToken = await system.SignInParentOfAsync("e2e-child", timeout.Token);
        await using var parent = new HubConnectionBuilder()
            .WithUrl(new Uri(system.Gateway, TranscriptHub.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(parentToken))
            .AddJsonProtocol(json => TranscriptBackplane.UseTutorJson(json.PayloadSerializerOptions))
            .Build();
        parent.On<TranscriptLine>(nameof(ITranscriptClient.ChildSaid), line => transcript.Enqueue(("child", line)));
        parent.On<TranscriptLine>(nameof(ITranscriptClient.TutorSaid), line => transcript.Enqueue(("tutor", line)));
        parent.On<ProgressUpdate>(nameof(ITranscriptClient.ProgressChanged), progress.Enqueue);
        await parent.StartAsync(timeout.Token);
        await parent.InvokeAsync(nameof(TranscriptHub.Follow), "e2e-child", timeout.Token);

        await using var announcements = await PubSubRecorder.StartAsync(system.Redis, RedisChannel.Literal(Channels.AudioProcessing));
        await using var device = await system.ConnectDeviceAsync("e2e-child", cancellationToken: timeout.Token);
        await using var events = await PubSubRecorder.StartAsync(system.Redis, RedisChannel.Literal(Channels.Responses(device.SessionId)));
        var transcriptionsBefore = system.OpenAi.Transcriptions.Count();
        var pcm = TestAudio.Utterance(TimeSpan.FromSeconds(1.2));

        await device.SpeakAsync(pcm, timeout.Token);
        var reply = await device.ListenForReplyAsync(timeout.Token);

        // A new child: the lesson for a Spanish speaker learning English opens with its own words.
        var heard = OpenAiStandIn.TranscriptOf(new PcmAudio(pcm, 16000, 1));
        Assert.Null(reply.Error);
        Assert.Equal(heard, reply.Heard);
        Assert.Equal(ShippedLessons.OpeningOf("colours-en-for-es"), reply.Sentences);
        var expectedBytes = reply.Sentences.Sum(s => TestAudio.BytesFor(OpenAiStandIn.SpeechDuration(s)));
        Assert.InRange(reply.Audio.Length, expectedBytes * 0.98 - 2000, expectedBytes * 1.02 + 2000);

        // The documented keys and channels carried it.
        var announcement = TutorJson.TryDeserialize<UtteranceAnnouncement>(Assert.Single(announcements.Messages).Message)!;
        Assert.Equal(device.SessionId, announcement.SessionId);
        Assert.StartsWith($"audio:{device.SessionId}:", announcement.AudioKey);
        var parts = events.Messages.Select(m => TutorJson.TryDeserialize<SessionEvent>(m.Message)!).Where(e => e.Type == SessionEventTypes.AudioResponse).ToList();
        Assert.Equal(reply.Sentences.Count, parts.Count(p => p.Text is not null)); // each sentence's first part carries it
        Assert.True(parts.Count > reply.Sentences.Count, "speech streamed in several parts a sentence");
        Assert.All(parts, p => Assert.StartsWith($"response:{device.SessionId}:", p.AudioKey));

        // The child answers; the model judges it right and the lesson moves on.
        system.OpenAi.NextTranscripts.Enqueue("it is red");
        await device.SpeakAsync(pcm, timeout.Token);
        var answer = await device.ListenForReplyAsync(timeout.Token);
        Assert.Equal(["Well done!", "Great job!", "Red!", "And the sky?", "What colour is the sky?"], answer.Sentences);

        // Both lines of both turns, and the progress, reach the parent; the summary endpoint agrees.
        await Eventually.HoldsAsync(() => Task.FromResult(transcript.Count >= 4 && progress.Count >= 2), "the parent has both turns");
        Assert.Equal([("child", heard), ("tutor", string.Join(" ", reply.Sentences)), ("child", "it is red"), ("tutor", string.Join(" ", answer.Sentences))],
            transcript.Select(t => (t.Speaker, t.Line.Text)));
        Assert.All(transcript, t => Assert.Equal((device.SessionId, "e2e-child"), (t.Line.SessionId, t.Line.UserId)));
        Assert.Equal(Outcomes.Correct, transcript.ElementAt(2).Line.Outcome);
        var last = progress.Last();
        Assert.Equal(("colours-en-for-es", "sky", 3, 7, 1), (last.LessonId, last.StepId, last.StepNumber, last.StepCount, last.WordsMastered));
        Assert.Equal(["red"], last.NewlyMastered);
        using var parentApi = new HttpClient { BaseAddress = system.Gateway };
        parentApi.DefaultRequestHeaders.Authorization = new("Bearer", parentToken);
        var summary = await parentApi.GetFromJsonAsync<JsonElement>("/api/children/e2e-child/progress", timeout.Token);
        Assert.Equal("Colours in English", summary.GetProperty("lesson_title").GetString());
        Assert.Equal(["red"], summary.GetProperty("words_mastered").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(2, summary.GetProperty("recent_turns").GetArrayLength());

        // Nothing is left behind once delivered, and one worker of the two answered each turn.
        var server = system.Redis.GetServer(system.Redis.GetEndPoints()[0]);
        await Eventually.HoldsAsync(async () =>
        {
            var left = 0;
            await foreach (var _ in server.KeysAsync(pattern: $"audio:{device.SessionId}:*")) left++;
            await foreach (var _ in server.KeysAsync(pattern: $"response:{device.SessionId}:*")) left++;
            return left == 0;
        }, "the utterance and reply audio keys are gone");
        var transcriptions = system.OpenAi.Transcriptions.Skip(transcriptionsBefore).ToList();
        Assert.True(transcriptions.Count == 2, $"two transcriptions expected, got {transcriptions.Count}: " +
            string.Join("; ", transcriptions.Select(t => $"{t.At:HH:mm:ss.fff} {t.File.Length} bytes")));
    }

    [Fact]
    public async Task With_two_worker_processes_every_utterance_is_answered_exactly_once()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        const int utterances = 3;
        await using var first = await system.ConnectDeviceAsync("twin-a", cancellationToken: timeout.Token);
        await using var second = await system.ConnectDeviceAsync("twin-b", cancellationToken: timeout.Token);
        await using var announcements = await PubSubRecorder.StartAsync(system.Redis, RedisChannel.Literal(Channels.AudioProcessing));
        await using var firstEvents = await PubSubRecorder.StartAsync(system.Redis, RedisChannel.Literal(Channels.Responses(first.SessionId)));
        await using var secondEvents = await PubSubRecorder.StartAsync(system.Redis, RedisChannel.Literal(Channels.Responses(second.SessionId)));
        var transcriptionsBefore = system.OpenAi.Transcriptions.Count(); // the stand-in is shared by this class's tests

        for (var i = 0; i < utterances; i++)
        {
            var length = TimeSpan.FromMilliseconds(400 + 100 * i);
            await Task.WhenAll(
                first.SpeakAsync(TestAudio.Utterance(length), timeout.Token),
                second.SpeakAsync(TestAudio.Utterance(length), timeout.Token));
            var replies = await Task.WhenAll(first.ListenForReplyAsync(timeout.Token), second.ListenForReplyAsync(timeout.Token));
            Assert.All(replies, r => Assert.Equal(OpenAiStandIn.TranscriptOf(new PcmAudio(TestAudio.Utterance(length), 16000, 1)), r.Heard));
        }

        await Never.HappensAsync(() => system.OpenAi.Transcriptions.Count() - transcriptionsBefore > 2 * utterances,
            "an utterance heard twice", TimeSpan.FromMilliseconds(500));
        var announced = announcements.Messages.Select(m => TutorJson.TryDeserialize<UtteranceAnnouncement>(m.Message)!.AudioKey).ToList();
        Assert.Equal(2 * utterances, announced.Count);
        foreach (var events in new[] { firstEvents, secondEvents })
        {
            var transcripts = events.Messages.Select(m => TutorJson.TryDeserialize<SessionEvent>(m.Message)!)
                .Where(e => e.Type == SessionEventTypes.Transcript).ToList();
            Assert.Equal(utterances, transcripts.Count);
            Assert.Equal(utterances, transcripts.Select(e => e.TurnId).Distinct().Count());
        }

        var claimedBy = new List<string>();
        foreach (var key in announced)
        {
            claimedBy.Add((await system.Redis.GetDatabase().HashGetAsync(RedisKeys.TurnTiming(RedisKeys.TurnIdOf(key)), TurnTimingFields.Worker))!);
        }
        Assert.DoesNotContain(null, claimedBy);
        Assert.Equal(2 * utterances, system.OpenAi.Transcriptions.Count() - transcriptionsBefore);
    }

    [Fact]
    public async Task An_opus_device_in_auto_mode_is_heard_answered_and_can_interrupt_the_tutor()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var device = await system.ConnectDeviceAsync("opus-child", DeviceProfile.Opus, timeout.Token);
        var speech = await TestSpeech.SayAsync("hello tutor, I like apples");
        var withPause = TestSpeech.Concat(speech, TestSpeech.Silence(TimeSpan.FromSeconds(1.5)));

        await device.SpeakAsync(withPause, TurnTaking.Auto, realTime: false, timeout.Token);
        var reply = await device.ListenForReplyAsync(timeout.Token);

        Assert.Null(reply.Error);
        Assert.StartsWith("I spoke for", reply.Heard);
        Assert.Equal(ShippedLessons.OpeningOf("colours-en-for-es"), reply.Sentences);
        var expected = reply.Sentences.Sum(s => TestAudio.BytesFor(OpenAiStandIn.SpeechDuration(s)));
        Assert.InRange(reply.Audio.Length, expected * 0.98 - 2000, expected * 1.02 + reply.Sentences.Count * 1920 + 2000); // each sentence padded to whole Opus frames

        // The child interrupts the next reply: it stops at once, and the worker stops making it.
        system.OpenAi.SpeechDelay = TimeSpan.FromMilliseconds(700);
        try
        {
            var speechesBefore = system.OpenAi.Speeches.Count();
            await device.SpeakAsync(withPause, TurnTaking.Auto, realTime: false, timeout.Token);
            var aborted = false;
            var interrupted = await device.ListenForReplyAsync(timeout.Token, async heard =>
            {
                if (aborted) return;
                aborted = true;
                await device.AbortAsync(timeout.Token);
            });
            Assert.True(aborted);
            Assert.Single(interrupted.Sentences);
            // The rest of the reply would have been synthesized within this.
            await Never.HappensAsync(() => system.OpenAi.Speeches.Count() - speechesBefore >= 3, "the aborted reply synthesized on", TimeSpan.FromMilliseconds(2500));
        }
        finally
        {
            system.OpenAi.SpeechDelay = TimeSpan.Zero;
        }
    }
}
