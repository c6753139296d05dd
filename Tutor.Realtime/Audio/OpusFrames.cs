using System.Runtime.InteropServices;
using Concentus;
using Concentus.Enums;

namespace Tutor.Realtime.Audio;

/// <summary>Encodes PCM16 16 kHz mono into Opus packets, one per frame, as the device protocol carries them. Stateful: one per stream.</summary>
public sealed class OpusFrameEncoder(int sampleRate, int frameMilliseconds)
{
    private const int MaxPacketBytes = 1275;
    private readonly IOpusEncoder _encoder = OpusCodecFactory.CreateEncoder(sampleRate, 1, OpusApplication.OPUS_APPLICATION_VOIP);
    private readonly int _frameSamples = sampleRate / 1000 * frameMilliseconds;

    public int FrameBytes => _frameSamples * 2;

    /// <summary>Encodes exactly one frame of PCM16 (a shorter last frame is padded with silence).</summary>
    public byte[] Encode(ReadOnlySpan<byte> pcm)
    {
        Span<short> samples = stackalloc short[_frameSamples];
        MemoryMarshal.Cast<byte, short>(pcm[..Math.Min(pcm.Length & ~1, FrameBytes)]).CopyTo(samples);
        Span<byte> packet = stackalloc byte[MaxPacketBytes];
        var length = _encoder.Encode(samples, _frameSamples, packet, MaxPacketBytes);
        return packet[..length].ToArray();
    }

    public void Reset() => _encoder.ResetState();
}

/// <summary>Decodes Opus packets, one per frame, into PCM16 16 kHz mono. Stateful: one per stream.</summary>
public sealed class OpusFrameDecoder(int sampleRate)
{
    // The longest Opus packet is 120 ms.
    private readonly short[] _samples = new short[sampleRate / 1000 * 120];
    private readonly IOpusDecoder _decoder = OpusCodecFactory.CreateDecoder(sampleRate, 1);

    /// <summary>Decodes one packet; throws <see cref="InvalidDataException"/> for anything that is not an Opus packet.</summary>
    public byte[] Decode(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty) throw new InvalidDataException("An empty Opus packet.");
        int count;
        try
        {
            count = _decoder.Decode(packet, _samples, _samples.Length, false);
        }
        catch (Exception ex) when (ex is OpusException or ArgumentException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"Not a valid Opus packet: {ex.Message}", ex);
        }

        return MemoryMarshal.AsBytes(_samples.AsSpan(0, count)).ToArray();
    }
}
