using Tutor.Contracts.Devices;
using Tutor.Gateway.Uplink.Utterances;

namespace Tutor.Gateway.Uplink.Listening;

/// <summary>
/// A connection's ears. In manual mode (push-to-talk) everything between <c>listen start</c> and <c>listen stop</c> is
/// the utterance; in auto mode — also the mode of a device that never says <c>listen</c> — voice-activity detection
/// finds it. Either way an utterance is cut at the maximum length.
/// </summary>
public sealed class Listener(SpeechDetector detector, ListeningOptions options) : IDisposable
{
    private readonly UtteranceBuffer _pushToTalk = new((int)(options.MaxUtteranceLength.TotalSeconds * 16000) * 2);

    public string Mode { get; private set; } = ListenModes.Auto;

    /// <summary>The shortest utterance that is a turn.</summary>
    public TimeSpan MinimumUtterance => options.MinSpeech;

    public void Start(string? mode)
    {
        Mode = mode == ListenModes.Manual ? ListenModes.Manual : ListenModes.Auto;
        _pushToTalk.Clear();
        detector.Reset();
    }

    /// <summary>Ends the utterance in progress, if any (<c>listen stop</c>).</summary>
    public IReadOnlyList<DetectedUtterance> Stop()
    {
        if (Mode == ListenModes.Auto)
        {
            return detector.Flush() is { } open ? [open] : [];
        }

        if (_pushToTalk.IsEmpty) return [];
        // Voice activity finds no turn shorter than the minimum speech; a press of the button makes none either, so a
        // device cannot turn every click into a turn for the workers.
        var audio = _pushToTalk.Take();
        var tooShort = audio.Length < (int)(options.MinSpeech.TotalSeconds * 16000) * 2;
        return [new DetectedUtterance(audio, tooShort ? UtteranceEnd.TooShort : UtteranceEnd.Silence, TimeSpan.Zero)];
    }

    /// <summary>Hears PCM16 16 kHz mono; returns the utterances that ended in it.</summary>
    public IReadOnlyList<DetectedUtterance> Hear(ReadOnlyMemory<byte> pcm)
    {
        if (Mode == ListenModes.Auto) return detector.Add(pcm.Span);

        List<DetectedUtterance>? cut = null;
        var rest = _pushToTalk.Append(pcm);
        while (_pushToTalk.IsFull)
        {
            (cut ??= []).Add(new DetectedUtterance(_pushToTalk.Take(), UtteranceEnd.MaxLength, TimeSpan.Zero));
            rest = _pushToTalk.Append(rest);
        }
        return cut ?? (IReadOnlyList<DetectedUtterance>)[];
    }

    public void Dispose() => detector.Dispose();
}
