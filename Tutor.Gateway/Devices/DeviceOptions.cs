using System.ComponentModel.DataAnnotations;

namespace Tutor.Gateway.Devices;

/// <summary>The limits a device connection lives within (configuration section <c>Devices</c>); docs/device-protocol.md lists them.</summary>
public sealed class DeviceOptions
{
    public const string SectionName = "Devices";

    /// <summary>The largest WebSocket message accepted, in bytes; a larger one closes the socket with 1009.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxFrameBytes { get; set; } = 16 * 1024;

    /// <summary>Sustained messages per second a device may send (20 ms audio frames are 50 per second).</summary>
    [Range(1, 100_000)]
    public int MaxFramesPerSecond { get; set; } = 60;

    /// <summary>Messages a device may send at once above the sustained rate (a reconnecting device flushing its buffer).</summary>
    [Range(1, 100_000)]
    public int FrameBurst { get; set; } = 120;

    /// <summary>
    /// Sustained bytes per second a device may send: 4× real time of PCM16 16 kHz mono (32 000 B/s), so a device can
    /// catch up after a stall but cannot flood the workers with hours of audio a minute. Beyond it: <c>rate_limited</c>, 1008.
    /// </summary>
    [Range(8_000, 100_000_000)]
    public int MaxUplinkBytesPerSecond { get; set; } = 128_000;

    /// <summary>Bytes a device may send at once above the sustained rate: 10 s of PCM16 (a reconnecting device's buffer).</summary>
    [Range(16_384, 100_000_000)]
    public int UplinkBurstBytes { get; set; } = 320_000;

    /// <summary>
    /// Utterances of one connection that may await their answer at once: one being answered and one waiting. A further
    /// one is refused with <c>too_many_turns</c> (the socket stays open) until an answer arrives or the device aborts.
    /// </summary>
    [Range(1, 100)]
    public int MaxTurnsAwaiting { get; set; } = 2;

    /// <summary>A connection that sends nothing for this long is closed (WebSocket pings do not count).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the server pings; a device that does not answer within the same time is disconnected.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Reply audio sent ahead of real time, so the device's playback survives network jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan ReplyPreBuffer { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How many frames may wait for a slow device; beyond it the reply relay waits for the device to catch up.</summary>
    [Range(16, 100_000)]
    public int SendQueueFrames { get; set; } = 256;
}
