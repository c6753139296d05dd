using Microsoft.Extensions.Options;
using Tutor.Gateway.Uplink.Listening;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>Auto mode's end-of-utterance detection, with the real Silero model on espeak-ng speech.</summary>
public sealed class SpeechDetectorTests : IClassFixture<SpeechDetectorTests.Model>
{
    private static readonly TimeSpan Chunk = TimeSpan.FromMilliseconds(60);
    private readonly SileroVadModel _model;

    public SpeechDetectorTests(Model model) => _model = model.Vad;

    public sealed class Model : IDisposable
    {
        public SileroVadModel Vad { get; } = new(Options.Create(new ListeningOptions()));
        public void Dispose() => Vad.Dispose();
    }

    [Fact]
    public async Task A_pause_shorter_than_the_setting_does_not_end_the_utterance_and_the_final_silence_does()
    {
        var first = Trim(await TestSpeech.SayAsync("I like red apples"));
        var second = Trim(await TestSpeech.SayAsync("and green pears"));
        var stream = TestSpeech.Concat(first, TestSpeech.Silence(TimeSpan.FromMilliseconds(450)), second, TestSpeech.Silence(TimeSpan.FromSeconds(2)));
        var endOfSpeech = Seconds(first.Length + TestAudio.BytesFor(TimeSpan.FromMilliseconds(450)) + second.Length);

        var found = Feed(new ListeningOptions(), stream);

        var (utterance, at) = Assert.Single(found);
        Assert.Equal(UtteranceEnd.Silence, utterance.End);
        Assert.True(Seconds(utterance.Audio.Length) >= endOfSpeech - 0.1, $"both parts are in it ({Seconds(utterance.Audio.Length):0.00} s of {endOfSpeech:0.00} s)");
        // It ends 800 ms into the final silence (give or take the model's window and the feeding chunk).
        Assert.InRange(at - endOfSpeech, 0.8 - 0.1, 0.8 + 0.25);
    }

    [Fact]
    public async Task A_shorter_end_of_utterance_setting_splits_at_the_same_pause()
    {
        var first = Trim(await TestSpeech.SayAsync("I like red apples"));
        var second = Trim(await TestSpeech.SayAsync("and green pears"));
        var stream = TestSpeech.Concat(first, TestSpeech.Silence(TimeSpan.FromMilliseconds(450)), second, TestSpeech.Silence(TimeSpan.FromSeconds(2)));

        var found = Feed(new ListeningOptions { EndOfUtteranceSilence = TimeSpan.FromMilliseconds(250) }, stream);

        Assert.Equal(2, found.Count);
    }

    [Fact]
    public async Task A_cough_length_sound_is_not_a_turn()
    {
        var speech = Trim(await TestSpeech.SayAsync("hello"));
        var blip = speech.AsSpan(0, TestAudio.BytesFor(TimeSpan.FromMilliseconds(150))).ToArray();
        var stream = TestSpeech.Concat(TestSpeech.Silence(TimeSpan.FromSeconds(1)), blip, TestSpeech.Silence(TimeSpan.FromSeconds(2)));

        Assert.Empty(Feed(new ListeningOptions(), stream));
    }

    [Fact]
    public async Task Background_noise_alone_is_not_speech_and_speech_over_it_is_found()
    {
        var noise = await TestSpeech.NoiseAsync(TimeSpan.FromSeconds(8), 0.03);
        var speech = Trim(await TestSpeech.SayAsync("my favourite colour is blue"));
        var noisySpeech = TestSpeech.Mix(TestSpeech.Concat(TestSpeech.Silence(TimeSpan.FromSeconds(3)), speech), noise);

        Assert.Empty(Feed(new ListeningOptions(), noise.AsSpan(0, TestAudio.BytesFor(TimeSpan.FromSeconds(3))).ToArray()));
        var (utterance, _) = Assert.Single(Feed(new ListeningOptions(), noisySpeech));
        Assert.InRange(Seconds(utterance.Audio.Length), Seconds(speech.Length) - 0.2, Seconds(speech.Length) + 1.5);
    }

    [Fact]
    public async Task A_40_second_monologue_is_cut_at_the_limit_and_the_rest_follows()
    {
        var sentence = Trim(await TestSpeech.SayAsync("once upon a time a little fox lived in the forest and every morning it ran to the river", 170));
        var monologue = new List<byte[]>();
        while (Seconds(monologue.Sum(p => p.Length)) < 40)
        {
            monologue.Add(sentence);
            monologue.Add(TestSpeech.Silence(TimeSpan.FromMilliseconds(250))); // breathing pauses, shorter than the end-of-utterance silence
        }
        var stream = TestSpeech.Concat([.. monologue, TestSpeech.Silence(TimeSpan.FromSeconds(2))]);

        var found = Feed(new ListeningOptions(), stream);

        Assert.Equal(2, found.Count);
        Assert.Equal(UtteranceEnd.MaxLength, found[0].Utterance.End);
        Assert.Equal(TestAudio.BytesFor(TimeSpan.FromSeconds(30)), found[0].Utterance.Audio.Length);
        Assert.Equal(UtteranceEnd.Silence, found[1].Utterance.End);
        var rest = Seconds(monologue.Sum(p => p.Length)) - 30;
        Assert.InRange(Seconds(found[1].Utterance.Audio.Length), rest - 0.5, rest + 0.5);
    }

    /// <summary>Feeds the stream in 60 ms frames, as a device sends it; returns each utterance with the stream time it was found at.</summary>
    private List<(DetectedUtterance Utterance, double At)> Feed(ListeningOptions options, byte[] stream)
    {
        using var detector = new SpeechDetector(_model, options);
        var found = new List<(DetectedUtterance, double)>();
        var chunk = TestAudio.BytesFor(Chunk);
        for (var offset = 0; offset < stream.Length; offset += chunk)
        {
            var length = Math.Min(chunk, stream.Length - offset);
            foreach (var utterance in detector.Add(stream.AsSpan(offset, length))) found.Add((utterance, Seconds(offset + length)));
        }
        return found;
    }

    /// <summary>espeak-ng's output without its leading and trailing silence, so the test knows where speech ends.</summary>
    private static byte[] Trim(byte[] pcm)
    {
        static bool Loud(byte[] p, int i) => Math.Abs((int)System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(p.AsSpan(i))) > 300;
        var first = 0;
        while (first < pcm.Length - 1 && !Loud(pcm, first)) first += 2;
        var last = pcm.Length - 2;
        while (last > first && !Loud(pcm, last)) last -= 2;
        return pcm[first..(last + 2)];
    }

    private static double Seconds(int bytes) => bytes / 32000.0;
}
