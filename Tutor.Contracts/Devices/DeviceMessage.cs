namespace Tutor.Contracts.Devices;

/// <summary>
/// A JSON text frame on the device socket, in either direction. The shapes follow xiaozhi-esp32's WebSocket protocol
/// so that firmware written for it feels at home: <c>listen</c> (device), <c>hello</c>, <c>stt</c>, <c>tts</c> and
/// <c>error</c> (server).
/// </summary>
public sealed record DeviceMessage(
    string Type,
    string? State = null,
    string? Mode = null,
    string? Text = null,
    string? SessionId = null,
    AudioParams? AudioParams = null,
    string? Code = null,
    string? Message = null)
{
    public static DeviceMessage ServerHello(string sessionId, AudioParams audio) => new(DeviceMessageTypes.Hello, SessionId: sessionId, AudioParams: audio);
    public static DeviceMessage Heard(string text) => new(DeviceMessageTypes.Stt, Text: text);
    public static DeviceMessage SentenceStart(string text) => new(DeviceMessageTypes.Tts, State: TtsStates.SentenceStart, Text: text);
    public static DeviceMessage SpeakingStopped() => new(DeviceMessageTypes.Tts, State: TtsStates.Stop);
    public static DeviceMessage Error(string code, string message) => new(DeviceMessageTypes.Error, Code: code, Message: message);
}

/// <summary>The audio a side sends: PCM16 little-endian unless <see cref="Format"/> says otherwise.</summary>
public sealed record AudioParams(string Format, int SampleRate, int Channels)
{
    public static readonly AudioParams Pcm16Mono16k = new("pcm16", 16000, 1);
}

public static class DeviceMessageTypes
{
    public const string Hello = "hello";
    public const string Listen = "listen";
    public const string Stt = "stt";
    public const string Tts = "tts";
    public const string Error = "error";
}

public static class ListenStates
{
    public const string Start = "start";
    public const string Stop = "stop";
}

public static class TtsStates
{
    public const string SentenceStart = "sentence_start";
    public const string Stop = "stop";
}

/// <summary>The <c>code</c> of an error frame.</summary>
public static class DeviceErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string UnknownType = "unknown_type";
    public const string FrameTooLarge = "frame_too_large";
    public const string UtteranceNotStored = "utterance_not_stored";
    public const string TurnFailed = "turn_failed";
}
