namespace Tutor.Gateway.Uplink.Utterances;

/// <summary>Collects one utterance's audio frames, up to a fixed size.</summary>
public sealed class UtteranceBuffer(int capacityBytes)
{
    private readonly MemoryStream _audio = new();

    public int Length => (int)_audio.Length;

    public bool IsEmpty => _audio.Length == 0;

    /// <summary>Appends what fits and returns what did not (empty when everything fit).</summary>
    public ReadOnlyMemory<byte> Append(ReadOnlyMemory<byte> frame)
    {
        var room = capacityBytes - Length;
        var taken = Math.Min(room, frame.Length);
        _audio.Write(frame.Span[..taken]);
        return frame[taken..];
    }

    public bool IsFull => Length >= capacityBytes;

    /// <summary>Hands over the audio collected so far and starts a new utterance.</summary>
    public byte[] Take()
    {
        var audio = _audio.ToArray();
        _audio.SetLength(0);
        return audio;
    }

    public void Clear() => _audio.SetLength(0);
}
