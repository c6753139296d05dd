using System.Runtime.InteropServices;
using Tutor.Contracts.Audio;
using Tutor.Workers.Providers;
using Whisper.net;

namespace Tutor.Workers.Speech;

/// <summary>
/// Recognition with the operator's own Whisper model (a whisper.cpp ggml file) inside the worker, through Whisper.net:
/// every language Whisper knows, free speech included, no server. The model is loaded once, at the worker's start; the
/// step's expected phrases go in as Whisper's initial prompt, which leans it towards the lesson's words without holding it
/// to them. One recognition runs at a time with all of <see cref="ProviderChoice.Threads"/> (whisper.cpp is CPU-bound:
/// two at once on two cores would only make both slower).
/// </summary>
public sealed class WhisperSpeechToText : ISpeechToText, IDisposable
{
    private const int SampleRate = 16000;
    private readonly WhisperFactory _factory;
    private readonly int _threads;
    private readonly bool _fitAudioContext;
    private readonly SemaphoreSlim _one = new(1);
    private readonly ILogger<WhisperSpeechToText> _logger;

    public WhisperSpeechToText(ProviderChoice choice, ILogger<WhisperSpeechToText> logger)
    {
        _logger = logger;
        _threads = choice.Threads ?? Environment.ProcessorCount;
        _fitAudioContext = choice.FitAudioContext;
        var path = LocalModelFile.Check(choice, "Providers:SpeechToText:ModelPath", "a whisper.cpp ggml model such as ggml-base.en.bin");
        try
        {
            _factory = WhisperFactory.FromPath(path, new WhisperFactoryOptions { UseGpu = false });
            // Whisper.net reports a file whisper.cpp refused only when a processor is made: make one now.
            using var probe = _factory.CreateBuilder().Build();
        }
        catch (Exception ex)
        {
            throw LocalModelFile.Broken(path, "a whisper.cpp ggml model", ex);
        }
    }

    public async Task<Transcript> TranscribeAsync(PcmAudio utterance, RecognitionHints hints, CancellationToken cancellationToken)
    {
        if (utterance.SampleRate != SampleRate || utterance.Channels != 1)
        {
            throw new InvalidDataException($"Whisper hears 16 kHz mono; this utterance is {utterance.SampleRate} Hz, {utterance.Channels} channel(s).");
        }
        var samples = ToFloats(utterance.Samples);

        var builder = _factory.CreateBuilder()
            .WithThreads(_threads)
            .WithLanguage(hints.Language ?? "auto")
            .WithNoContext()
            .WithSingleSegment()
            .WithProbabilities();
        if (_fitAudioContext) builder.WithAudioContextSize(AudioContextFor(utterance.Duration));
        if (hints.Phrases.Count > 0) builder.WithPrompt(string.Join(", ", hints.Phrases.Distinct()));

        await _one.WaitAsync(cancellationToken);
        try
        {
            // The processor holds whisper.cpp's decoding state (about the model's size again): made per utterance, so the
            // step's prompt and language are its own, and freed at once.
            await using var processor = builder.Build();
            var segments = new List<SegmentData>();
            await foreach (var segment in processor.ProcessAsync(samples, cancellationToken)) segments.Add(segment);
            var heard = string.Join(' ', segments.Select(s => s.Text.Trim()).Where(t => t.Length > 0));
            // Whisper's own measure: the mean probability of the tokens it wrote (the least sure segment's, if several).
            double? confidence = segments.Count > 0 ? segments.Min(s => (double)s.Probability) : null;
            _logger.WhisperHeard(heard.Length, confidence);
            return new Transcript(heard, confidence);
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>
    /// Whisper's encoder reads a 30-second window (1500 positions, 50 a second) whatever the utterance's length; a
    /// child's answer is two or three seconds. Encoding only the utterance and half a second more is ~7× less work (measured:
    /// <c>own-models</c> benchmark), at some cost in accuracy that whisper.cpp's own real-time examples accept.
    /// </summary>
    public static int AudioContextFor(TimeSpan utterance) =>
        Math.Min(FullAudioContext, (int)Math.Ceiling((utterance.TotalSeconds + 0.5) * 50 / 32) * 32);

    private const int FullAudioContext = 1500;

    /// <summary>Whisper takes samples as floats in [-1, 1].</summary>
    private static float[] ToFloats(byte[] pcm16)
    {
        var pcm = MemoryMarshal.Cast<byte, short>(pcm16);
        var samples = new float[pcm.Length];
        for (var i = 0; i < pcm.Length; i++) samples[i] = pcm[i] / 32768f;
        return samples;
    }

    public void Dispose()
    {
        _factory.Dispose();
        _one.Dispose();
    }
}
