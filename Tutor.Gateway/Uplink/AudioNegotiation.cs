using Tutor.Contracts.Devices;

namespace Tutor.Gateway.Uplink;

/// <summary>Reads a device's <c>hello</c>: the audio it will send, which is also the audio it gets back.</summary>
public static class AudioNegotiation
{
    private static readonly int[] FrameDurations = [10, 20, 40, 60];

    /// <summary>The agreed audio, or an error message for a device asking for what Tutor does not speak.</summary>
    public static (AudioParams? Audio, string? Error) Negotiate(DeviceMessage hello)
    {
        if (hello.Transport is { } transport && transport != DeviceMessage.WebSocketTransport)
        {
            return (null, $"Transport '{transport}' is not served here; this is the WebSocket endpoint.");
        }

        // xiaozhi's clients and servers take Opus for granted: a hello that names no format means Opus (16 kHz, 60 ms).
        var requested = hello.AudioParams ?? AudioParams.OpusMono16k;
        var format = requested.Format?.ToLowerInvariant() switch
        {
            null or "" or AudioParams.Opus => AudioParams.Opus,
            "pcm" or AudioParams.Pcm16 => AudioParams.Pcm16,
            var other => null,
        };
        if (format is null) return (null, $"Audio format '{requested.Format}' is not supported; use pcm16 or opus.");
        if (requested.SampleRate is not (0 or 16000)) return (null, $"Sample rate {requested.SampleRate} is not supported; send 16000 Hz.");
        if (requested.Channels is not (0 or 1)) return (null, $"{requested.Channels} channels are not supported; send mono.");
        var frame = requested.FrameDuration ?? AudioParams.DefaultFrameDuration;
        if (!FrameDurations.Contains(frame)) return (null, $"Frame duration {frame} ms is not supported; use 10, 20, 40 or 60.");

        return (new AudioParams(format, 16000, 1, frame), null);
    }
}
