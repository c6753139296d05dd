using System.Text.Json.Serialization;

namespace Tutor.Contracts.Devices;

/// <summary>
/// A JSON text frame on the device socket, in either direction (see docs/device-protocol.md). The shapes follow
/// xiaozhi-esp32's WebSocket protocol so that firmware written for it feels at home.
/// </summary>
public sealed record DeviceMessage(
    string Type,
    string? State = null,
    string? Mode = null,
    string? Text = null,
    string? SessionId = null,
    AudioParams? AudioParams = null,
    string? Code = null,
    string? Message = null,
    int? Version = null,
    string? Transport = null,
    string? Reason = null,
    string? UserId = null,
    string? Token = null,
    int? ExpiresIn = null)
{
    public const string WebSocketTransport = "websocket";
    public const int ProtocolVersion = 1;

    public static DeviceMessage ServerHello(string sessionId, AudioParams downlink) =>
        new(DeviceMessageTypes.Hello, SessionId: sessionId, AudioParams: downlink, Version: ProtocolVersion, Transport: WebSocketTransport);
    public static DeviceMessage DeviceHello(AudioParams uplink) =>
        new(DeviceMessageTypes.Hello, AudioParams: uplink, Version: ProtocolVersion, Transport: WebSocketTransport);
    public static DeviceMessage Listen(string state, string? mode = null) => new(DeviceMessageTypes.Listen, State: state, Mode: mode);
    public static DeviceMessage Abort(string? reason = null) => new(DeviceMessageTypes.Abort, Reason: reason);
    public static DeviceMessage Heard(string text) => new(DeviceMessageTypes.Stt, Text: text);
    public static DeviceMessage SpeakingStarted() => new(DeviceMessageTypes.Tts, State: TtsStates.Start);
    public static DeviceMessage SentenceStart(string text) => new(DeviceMessageTypes.Tts, State: TtsStates.SentenceStart, Text: text);
    public static DeviceMessage SpeakingStopped() => new(DeviceMessageTypes.Tts, State: TtsStates.Stop);
    public static DeviceMessage Error(string code, string message) => new(DeviceMessageTypes.Error, Code: code, Message: message);
    public static DeviceMessage PairStart() => new(DeviceMessageTypes.Pair, State: PairStates.Start);
    public static DeviceMessage PairCode(string code, int expiresInSeconds) => new(DeviceMessageTypes.Pair, State: PairStates.Code, Code: code, ExpiresIn: expiresInSeconds);
    public static DeviceMessage Paired(string userId, string token) => new(DeviceMessageTypes.Pair, State: PairStates.Paired, UserId: userId, Token: token);
}

/// <summary>The <c>state</c> of a <c>pair</c> message (docs/device-protocol.md, "Pairing").</summary>
public static class PairStates
{
    /// <summary>Device → server: give me a code (again).</summary>
    public const string Start = "start";
    /// <summary>Server → device: the code to speak and show, and how long it lives.</summary>
    public const string Code = "code";
    /// <summary>Server → device: a parent entered the code; here are the child's user id and this device's secret.</summary>
    public const string Paired = "paired";
}

/// <summary>
/// The audio one side sends. Tutor's audio is always 16 kHz mono; <see cref="Format"/> is <c>pcm16</c> (little-endian)
/// or <c>opus</c> (one Opus packet per binary frame), and <see cref="FrameDuration"/> the milliseconds per frame.
/// </summary>
public sealed record AudioParams(string Format, int SampleRate, int Channels, int? FrameDuration = null)
{
    public const string Pcm16 = "pcm16";
    public const string Opus = "opus";
    public const int DefaultFrameDuration = 60;

    public static readonly AudioParams Pcm16Mono16k = new(Pcm16, 16000, 1, DefaultFrameDuration);
    public static readonly AudioParams OpusMono16k = new(Opus, 16000, 1, DefaultFrameDuration);

    [JsonIgnore]
    public int FrameMilliseconds => FrameDuration ?? DefaultFrameDuration;

    [JsonIgnore]
    public int SamplesPerFrame => SampleRate / 1000 * FrameMilliseconds * Channels;
}

public static class DeviceMessageTypes
{
    public const string Hello = "hello";
    public const string Listen = "listen";
    public const string Abort = "abort";
    public const string Stt = "stt";
    public const string Tts = "tts";
    public const string Pair = "pair";
    public const string Error = "error";
}

public static class ListenStates
{
    public const string Start = "start";
    public const string Stop = "stop";
    /// <summary>xiaozhi's wake-word notice; accepted and ignored.</summary>
    public const string Detect = "detect";
}

public static class ListenModes
{
    /// <summary>Push-to-talk: <c>listen stop</c> ends the utterance.</summary>
    public const string Manual = "manual";
    /// <summary>The server's voice-activity detection ends the utterance (also the mode before any <c>listen</c>).</summary>
    public const string Auto = "auto";
    /// <summary>xiaozhi's continuous mode; treated as <see cref="Auto"/>.</summary>
    public const string Realtime = "realtime";
}

public static class TtsStates
{
    public const string Start = "start";
    public const string SentenceStart = "sentence_start";
    public const string Stop = "stop";
}

/// <summary>The <c>code</c> of an error frame; docs/device-protocol.md says which ones close the socket.</summary>
public static class DeviceErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string UnknownType = "unknown_type";
    public const string UnexpectedHello = "unexpected_hello";
    public const string UnsupportedAudio = "unsupported_audio";
    public const string BadAudio = "bad_audio";
    public const string FrameTooLarge = "frame_too_large";
    public const string RateLimited = "rate_limited";
    public const string IdleTimeout = "idle_timeout";
    public const string UtteranceNotStored = "utterance_not_stored";
    public const string TurnFailed = "turn_failed";
    public const string TurnTimeout = "turn_timeout";
    /// <summary>More children are talking than Tutor can answer now; say it again in a moment.</summary>
    public const string Busy = "busy";
    /// <summary>The child said something newer before this utterance was answered; the newer one is answered instead.</summary>
    public const string Superseded = "superseded";
    /// <summary>A push-to-talk utterance shorter than the minimum (an accidental press); it is not answered.</summary>
    public const string UtteranceTooShort = "utterance_too_short";
    /// <summary>The device spoke again while its earlier utterances still await their answers; this one is not answered.</summary>
    public const string TooManyTurns = "too_many_turns";
    /// <summary>Another connection signed in with this device's secret; this one is closed (1008). Do not reconnect on it.</summary>
    public const string Replaced = "replaced";
    /// <summary>A parent revoked this device's secret; the connection is closed (1008) and the secret no longer works.</summary>
    public const string DeviceRevoked = "device_revoked";
    /// <summary>The pairing code expired before a parent entered it; ask for a new one (the connection closes, 1000).</summary>
    public const string PairingExpired = "pairing_expired";
}
