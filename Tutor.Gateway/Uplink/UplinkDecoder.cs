using Tutor.Contracts.Devices;
using Tutor.Realtime.Audio;

namespace Tutor.Gateway.Uplink;

/// <summary>Turns the device's binary frames into PCM16 16 kHz mono, whatever format the device chose.</summary>
public sealed class UplinkDecoder(AudioParams uplink)
{
    private readonly OpusFrameDecoder? _opus = uplink.Format == AudioParams.Opus ? new OpusFrameDecoder(uplink.SampleRate) : null;

    public AudioParams Format => uplink;

    /// <summary>The frame's samples; <see cref="InvalidDataException"/> when the frame is not audio of the agreed format.</summary>
    public ReadOnlyMemory<byte> Decode(ReadOnlyMemory<byte> frame)
    {
        if (_opus is not null) return _opus.Decode(frame.Span);
        if (frame.Length % 2 != 0) throw new InvalidDataException($"A PCM16 frame has an even number of bytes; this one has {frame.Length}.");
        return frame;
    }
}
