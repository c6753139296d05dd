using Tutor.Contracts.Devices;

namespace Tutor.Device;

/// <summary>How the simulated device talks: its audio format, and whether it says hello first (the seed's plain mode does not).</summary>
public sealed record DeviceProfile(string Format = AudioParams.Pcm16, int FrameDuration = AudioParams.DefaultFrameDuration, bool SendsHello = true)
{
    public static readonly DeviceProfile Pcm16 = new();
    public static readonly DeviceProfile Opus = new(AudioParams.Opus);
    /// <summary>The seed's device: no hello, PCM16 16 kHz, 60 ms frames.</summary>
    public static readonly DeviceProfile Plain = new(SendsHello: false);

    public AudioParams Audio => new(Format, 16000, 1, FrameDuration);
}

/// <summary>How the device ends an utterance.</summary>
public enum TurnTaking
{
    /// <summary>Push-to-talk: <c>listen start</c> (manual), the audio, <c>listen stop</c>.</summary>
    Manual,
    /// <summary><c>listen start</c> (auto), then audio; the server's voice-activity detection ends the utterance.</summary>
    Auto,
    /// <summary>Audio only, no listen messages at all (the seed's plain device); the server listens in auto mode.</summary>
    Plain,
}
