using Tutor.Contracts.Devices;
using Tutor.Realtime.Audio;

namespace Tutor.Gateway.Downlink;

/// <summary>Cuts reply audio (PCM16 16 kHz mono from the workers) into the device's frames, in its format.</summary>
public sealed class DownlinkEncoder(AudioParams downlink)
{
    private readonly OpusFrameEncoder? _opus = downlink.Format == AudioParams.Opus
        ? new OpusFrameEncoder(downlink.SampleRate, downlink.FrameMilliseconds)
        : null;

    public TimeSpan FrameDuration { get; } = TimeSpan.FromMilliseconds(downlink.FrameMilliseconds);

    public int FrameBytes { get; } = downlink.SamplesPerFrame * 2;

    public IEnumerable<ReadOnlyMemory<byte>> Frames(byte[] pcm)
    {
        for (var offset = 0; offset < pcm.Length; offset += FrameBytes)
        {
            var frame = pcm.AsMemory(offset, Math.Min(FrameBytes, pcm.Length - offset));
            yield return _opus is null ? frame : _opus.Encode(frame.Span);
        }
    }
}
