using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Realtime.Audio;

namespace Tutor.Device;

/// <summary>
/// Behaves like ESP32 firmware speaking docs/device-protocol.md: says hello (or not, like the seed's plain device),
/// streams utterances as PCM16 or Opus frames in manual, auto or plain turn taking, collects the tutor's reply and can
/// abort it. The tests and the benchmarks drive it.
/// </summary>
public sealed class DeviceClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly DeviceProfile _profile;
    private readonly OpusFrameEncoder? _opusOut;
    private readonly OpusFrameDecoder? _opusIn;

    private DeviceClient(DeviceProfile profile)
    {
        _profile = profile;
        if (profile.Format == AudioParams.Opus)
        {
            _opusOut = new OpusFrameEncoder(16000, profile.FrameDuration);
            _opusIn = new OpusFrameDecoder(16000);
        }
    }

    /// <summary>The session id from the server's hello; empty for a device that sends no hello.</summary>
    public string SessionId { get; private set; } = "";

    public AudioParams Downlink { get; private set; } = AudioParams.Pcm16Mono16k;

    /// <summary>The status the gateway closed with, once it has.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public ClientWebSocket Socket => _socket;

    /// <summary>Connects as <paramref name="userId"/>, presenting the device secret <paramref name="token"/> as a bearer token.</summary>
    /// <param name="resumeSessionId">The session of a connection that was lost: its replies still on their way come here.</param>
    /// <param name="tokenInQuery">
    /// Send the secret as <c>?token=</c> (and the session to resume as <c>?session_id=</c>), as a client that cannot set headers does.
    /// </param>
    public static async Task<DeviceClient> ConnectAsync(Uri gateway, string userId, string? token, DeviceProfile profile, CancellationToken cancellationToken,
        string? resumeSessionId = null, bool tokenInQuery = false)
    {
        var client = new DeviceClient(profile);
        var scheme = gateway.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        var uri = new UriBuilder(gateway)
        {
            Scheme = scheme,
            Path = $"/ws/{Uri.EscapeDataString(userId)}",
            Query = tokenInQuery ? QueryOf(token, resumeSessionId) : "",
        }.Uri;
        client._socket.Options.SetRequestHeader("Protocol-Version", DeviceMessage.ProtocolVersion.ToString());
        if (token is not null && !tokenInQuery) client._socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        if (resumeSessionId is not null && !tokenInQuery) client._socket.Options.SetRequestHeader("Session-Id", resumeSessionId);
        await client._socket.ConnectAsync(uri, cancellationToken);
        if (!profile.SendsHello) return client;

        await client.SendAsync(DeviceMessage.DeviceHello(profile.Audio), cancellationToken);
        var hello = await client.ReceiveAsync(cancellationToken);
        if (hello is not { Text: { } text } || TutorJson.TryDeserialize<DeviceMessage>(text) is not { Type: DeviceMessageTypes.Hello } message)
        {
            throw new InvalidDataException($"The gateway did not answer hello: {hello?.Text ?? "closed"}");
        }

        client.SessionId = message.SessionId ?? "";
        client.Downlink = message.AudioParams ?? AudioParams.Pcm16Mono16k;
        return client;
    }

    private static string QueryOf(string? token, string? resumeSessionId) => string.Join('&',
        new[] { ("token", token), ("session_id", resumeSessionId) }.Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));

    /// <summary>
    /// Sends one utterance (PCM16 16 kHz mono) in the profile's frames. With <paramref name="realTime"/> the frames are
    /// paced like a microphone's; otherwise they go as fast as the socket takes them.
    /// </summary>
    public async Task SpeakAsync(ReadOnlyMemory<byte> pcm, TurnTaking turnTaking, bool realTime, CancellationToken cancellationToken)
    {
        if (turnTaking != TurnTaking.Plain)
        {
            await SendAsync(DeviceMessage.Listen(ListenStates.Start, turnTaking == TurnTaking.Manual ? ListenModes.Manual : ListenModes.Auto), cancellationToken);
        }

        await StreamAsync(pcm, realTime, cancellationToken);

        if (turnTaking == TurnTaking.Manual)
        {
            await SendAsync(DeviceMessage.Listen(ListenStates.Stop), cancellationToken);
        }
    }

    /// <summary>Push-to-talk, frames as fast as possible: the simplest way to say something.</summary>
    public Task SpeakAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken) =>
        SpeakAsync(pcm, TurnTaking.Manual, realTime: false, cancellationToken);

    /// <summary>Sends audio frames only (no listen messages), encoded in the profile's format.</summary>
    public async Task StreamAsync(ReadOnlyMemory<byte> pcm, bool realTime, CancellationToken cancellationToken)
    {
        var frameBytes = _profile.Audio.SamplesPerFrame * 2;
        var frameTime = TimeSpan.FromMilliseconds(_profile.FrameDuration);
        var started = Stopwatch.GetTimestamp();
        var sent = 0;
        for (var offset = 0; offset < pcm.Length; offset += frameBytes)
        {
            var frame = pcm.Slice(offset, Math.Min(frameBytes, pcm.Length - offset));
            var payload = _opusOut is null ? frame : _opusOut.Encode(frame.Span);
            await _socket.SendAsync(payload, WebSocketMessageType.Binary, true, cancellationToken);
            sent++;
            if (realTime)
            {
                var due = frameTime * sent - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero) await Task.Delay(due, cancellationToken);
            }
        }
    }

    public Task SendAsync(DeviceMessage message, CancellationToken cancellationToken) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(TutorJson.Serialize(message)), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>The child interrupts: the tutor must stop talking.</summary>
    public Task AbortAsync(CancellationToken cancellationToken) => SendAsync(DeviceMessage.Abort("interrupted"), cancellationToken);

    /// <summary>
    /// Collects everything the gateway sends until the reply ends (<c>tts stop</c>) or an error arrives. With
    /// <paramref name="onAudio"/> the caller sees each audio frame as it arrives (to abort mid-reply, say).
    /// </summary>
    public async Task<DeviceReply> ListenForReplyAsync(CancellationToken cancellationToken, Func<DeviceReply, Task>? onAudio = null)
    {
        var reply = new DeviceReply();
        while (true)
        {
            var frame = await ReceiveAsync(cancellationToken) ?? throw new WebSocketException($"The gateway closed the connection ({CloseStatus}).");
            if (frame.Audio is { } audio)
            {
                reply.Audio.Write(_opusIn is null ? audio : _opusIn.Decode(audio));
                reply.AudioFrames.Add(new ArrivedFrame(Stopwatch.GetTimestamp(), audio.Length));
                if (onAudio is not null) await onAudio(reply);
                continue;
            }

            var message = TutorJson.TryDeserialize<DeviceMessage>(frame.Text) ?? throw new InvalidDataException($"Unreadable frame: {frame.Text}");
            reply.Messages.Add(message);
            switch (message.Type)
            {
                case DeviceMessageTypes.Stt:
                    reply.Heard = message.Text;
                    break;
                case DeviceMessageTypes.Tts when message.State == TtsStates.SentenceStart && message.Text is not null:
                    reply.Sentences.Add(message.Text);
                    break;
                case DeviceMessageTypes.Tts when message.State == TtsStates.Stop:
                    reply.StoppedAt = Stopwatch.GetTimestamp();
                    return reply;
                case DeviceMessageTypes.Error:
                    reply.Error = message;
                    return reply;
            }
        }
    }

    /// <summary>The next frame, or null when the gateway closed the socket.</summary>
    public async Task<ReceivedFrame?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                CloseStatus = result.CloseStatus;
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage) continue;
            return result.MessageType == WebSocketMessageType.Binary
                ? new ReceivedFrame(null, message.ToArray())
                : new ReceivedFrame(Encoding.UTF8.GetString(message.ToArray()), null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }
        _socket.Dispose();
    }
}

public sealed record ReceivedFrame(string? Text, byte[]? Audio);

/// <summary>When an audio frame arrived (a <see cref="Stopwatch"/> timestamp) and how big it was.</summary>
public sealed record ArrivedFrame(long At, int Bytes);

/// <summary>What the device received for one utterance.</summary>
public sealed class DeviceReply
{
    public string? Heard { get; set; }
    public List<string> Sentences { get; } = [];
    /// <summary>The reply's audio as PCM16 16 kHz mono (decoded when the device speaks Opus).</summary>
    public MemoryStream Audio { get; } = new();
    public List<ArrivedFrame> AudioFrames { get; } = [];
    public List<DeviceMessage> Messages { get; } = [];
    public DeviceMessage? Error { get; set; }
    public long? StoppedAt { get; set; }
}
