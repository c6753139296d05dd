using System.Buffers.Binary;

namespace Tutor.Gateway.Uplink.Listening;

/// <summary>
/// Finds utterances in a stream of PCM16 16 kHz mono audio (auto mode): speech starts at the first window the model
/// calls speech, and the utterance ends after <see cref="ListeningOptions.EndOfUtteranceSilence"/> of silence, or is cut at
/// <see cref="ListeningOptions.MaxUtteranceLength"/>. Utterances with less than <see cref="ListeningOptions.MinSpeech"/>
/// of speech are dropped. One per connection; not thread-safe.
/// </summary>
public sealed class SpeechDetector : IDisposable
{
    private const int WindowBytes = SileroVadModel.WindowSamples * 2;
    private static readonly TimeSpan WindowDuration = TimeSpan.FromMilliseconds(1000.0 * SileroVadModel.WindowSamples / SileroVadModel.SampleRate);

    private readonly VadStream _vad;
    private readonly ListeningOptions _options;
    private readonly byte[] _pending = new byte[WindowBytes];
    private int _pendingLength;
    private readonly Queue<byte[]> _preRoll = new();
    private readonly MemoryStream _utterance = new();
    private bool _inSpeech;
    private TimeSpan _speech;
    private TimeSpan _silenceRun;
    private long _lastSpeechEnd;

    public SpeechDetector(SileroVadModel model, ListeningOptions options)
    {
        _vad = model.OpenStream();
        _options = options;
    }

    /// <summary>Whether speech has started and the utterance is still open.</summary>
    public bool InSpeech => _inSpeech;

    /// <summary>Feeds audio; returns the utterances it completed (usually none).</summary>
    public IReadOnlyList<DetectedUtterance> Add(ReadOnlySpan<byte> pcm)
    {
        List<DetectedUtterance>? completed = null;
        while (pcm.Length > 0)
        {
            var take = Math.Min(WindowBytes - _pendingLength, pcm.Length);
            pcm[..take].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += take;
            pcm = pcm[take..];
            if (_pendingLength < WindowBytes) break;

            _pendingLength = 0;
            if (Classify(_pending) is { } utterance) (completed ??= []).Add(utterance);
        }

        return completed ?? (IReadOnlyList<DetectedUtterance>)[];
    }

    /// <summary>Ends the open utterance now (the device said <c>listen stop</c>); null when no speech was open.</summary>
    public DetectedUtterance? Flush()
    {
        _pendingLength = 0;
        return _inSpeech ? Complete(UtteranceEnd.Silence, continues: false) : null;
    }

    /// <summary>Forgets everything heard so far (a new <c>listen start</c>, or an abort).</summary>
    public void Reset()
    {
        _vad.Reset();
        _pendingLength = 0;
        _preRoll.Clear();
        EndUtterance();
    }

    private DetectedUtterance? Classify(byte[] window)
    {
        var context = SileroVadModel.ContextSamples;
        var input = _vad.Input;
        input.AsSpan(SileroVadModel.WindowSamples, context).CopyTo(input); // the last 64 samples become the context
        for (var i = 0; i < SileroVadModel.WindowSamples; i++)
        {
            input[context + i] = BinaryPrimitives.ReadInt16LittleEndian(window.AsSpan(i * 2)) / 32768f;
        }
        var probability = _vad.Run();

        if (!_inSpeech)
        {
            if (probability < _options.SpeechThreshold)
            {
                KeepForPreRoll(window);
                return null;
            }

            _inSpeech = true;
            foreach (var earlier in _preRoll) _utterance.Write(earlier);
            _preRoll.Clear();
        }

        _utterance.Write(window);
        if (probability >= _options.SpeechThreshold)
        {
            _speech += WindowDuration;
            _silenceRun = TimeSpan.Zero;
            _lastSpeechEnd = _utterance.Length;
        }
        else if (probability < _options.SilenceThreshold)
        {
            _silenceRun += WindowDuration;
        }

        if (_silenceRun >= _options.EndOfUtteranceSilence)
        {
            return Complete(UtteranceEnd.Silence, continues: false);
        }

        // Cut at the limit; the child is still talking, so the rest of the speech continues as the next utterance.
        return _utterance.Length >= MaxBytes ? Complete(UtteranceEnd.MaxLength, continues: true) : null;
    }

    private DetectedUtterance? Complete(UtteranceEnd reason, bool continues)
    {
        var enoughSpeech = _speech >= _options.MinSpeech;
        var keep = reason == UtteranceEnd.MaxLength
            ? MaxBytes
            : Math.Min(_utterance.Length, _lastSpeechEnd + BytesFor(_options.TrailingSilence));
        var buffered = _utterance.GetBuffer().AsSpan(0, (int)_utterance.Length);
        var audio = enoughSpeech ? buffered[..(int)keep].ToArray() : null;
        var overflow = continues ? buffered[(int)keep..].ToArray() : [];
        var speech = _speech;
        EndUtterance();
        _inSpeech = continues;
        _utterance.Write(overflow);

        return audio is null ? null : new DetectedUtterance(audio, reason, speech);
    }

    private void EndUtterance()
    {
        _utterance.SetLength(0);
        _inSpeech = false;
        _speech = TimeSpan.Zero;
        _silenceRun = TimeSpan.Zero;
        _lastSpeechEnd = 0;
    }

    public void Dispose() => _vad.Dispose();

    private void KeepForPreRoll(byte[] window)
    {
        _preRoll.Enqueue(window.ToArray());
        while (_preRoll.Count * WindowDuration > _options.PreRoll) _preRoll.Dequeue();
    }

    private long MaxBytes => BytesFor(_options.MaxUtteranceLength);

    private static long BytesFor(TimeSpan duration) => (long)(duration.TotalSeconds * SileroVadModel.SampleRate) * 2;
}

public enum UtteranceEnd
{
    /// <summary>The child stopped talking (auto mode) or the device sent <c>listen stop</c>.</summary>
    Silence,
    /// <summary>The utterance reached the maximum length and was cut.</summary>
    MaxLength,
    /// <summary>A push-to-talk utterance shorter than the minimum speech: heard, but not a turn.</summary>
    TooShort,
}

/// <summary>An utterance found in the stream: its PCM16 16 kHz audio, why it ended and how much of it was speech.</summary>
public sealed record DetectedUtterance(byte[] Audio, UtteranceEnd End, TimeSpan Speech);
