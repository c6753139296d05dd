using System.ComponentModel.DataAnnotations;

namespace Tutor.Gateway.Devices;

/// <summary>The limits a device connection lives within (configuration section <c>Devices</c>).</summary>
public sealed class DeviceOptions
{
    public const string SectionName = "Devices";

    /// <summary>The largest WebSocket message accepted, in bytes; a larger one closes the socket with 1009.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxFrameBytes { get; set; } = 32 * 1024;

    /// <summary>The longest utterance; audio beyond it is cut off into an utterance of its own and processed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan MaxUtteranceLength { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The size of each binary frame of reply audio sent to the device (60 ms of PCM16 16 kHz by default).</summary>
    [Range(256, 64 * 1024)]
    public int DownlinkFrameBytes { get; set; } = 1920;

    /// <summary>How many frames may wait for a slow device; beyond it the reply relay waits for the device to catch up.</summary>
    [Range(16, 100_000)]
    public int SendQueueFrames { get; set; } = 4096;

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);
}
