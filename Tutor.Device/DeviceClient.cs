using System.Net.WebSockets;
using System.Text;
using Tutor.Contracts.Audio;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;

namespace Tutor.Device;

/// <summary>
/// Behaves like the ESP32 firmware: connects to <c>/ws/{user_id}</c>, streams an utterance in small PCM16 frames
/// between <c>listen start</c> and <c>listen stop</c>, and collects the tutor's reply.
/// </summary>
public sealed class DeviceClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    private DeviceClient() { }

    public string SessionId { get; private set; } = "";

    public AudioParams Downlink { get; private set; } = AudioParams.Pcm16Mono16k;

    public static async Task<DeviceClient> ConnectAsync(Uri gateway, string userId, CancellationToken cancellationToken)
    {
        var client = new DeviceClient();
        var scheme = gateway.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        var uri = new UriBuilder(gateway) { Scheme = scheme, Path = $"/ws/{Uri.EscapeDataString(userId)}" }.Uri;
        await client._socket.ConnectAsync(uri, cancellationToken);
        var hello = await client.ReceiveAsync(cancellationToken);
        if (hello is not { Text: { } text } || TutorJson.TryDeserialize<DeviceMessage>(text) is not { Type: DeviceMessageTypes.Hello } message)
        {
            throw new InvalidDataException("The gateway did not say hello.");
        }

        client.SessionId = message.SessionId ?? "";
        client.Downlink = message.AudioParams ?? AudioParams.Pcm16Mono16k;
        return client;
    }

    /// <summary>Sends one utterance (PCM16 16 kHz mono) in frames of <paramref name="frameDuration"/>, then ends it.</summary>
    public async Task SpeakAsync(ReadOnlyMemory<byte> pcm, TimeSpan frameDuration, CancellationToken cancellationToken)
    {
        await SendAsync(new DeviceMessage(DeviceMessageTypes.Listen, State: ListenStates.Start, Mode: "manual"), cancellationToken);
        var frameBytes = (int)(frameDuration.TotalSeconds * AudioParams.Pcm16Mono16k.SampleRate) * 2;
        for (var offset = 0; offset < pcm.Length; offset += frameBytes)
        {
            var frame = pcm.Slice(offset, Math.Min(frameBytes, pcm.Length - offset));
            await _socket.SendAsync(frame, WebSocketMessageType.Binary, true, cancellationToken);
        }
        await SendAsync(new DeviceMessage(DeviceMessageTypes.Listen, State: ListenStates.Stop), cancellationToken);
    }

    public Task SendAsync(DeviceMessage message, CancellationToken cancellationToken) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(TutorJson.Serialize(message)), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>Collects everything the gateway sends until the reply ends (<c>tts stop</c>) or an error arrives.</summary>
    public async Task<DeviceReply> ListenForReplyAsync(CancellationToken cancellationToken)
    {
        var reply = new DeviceReply();
        while (true)
        {
            var frame = await ReceiveAsync(cancellationToken) ?? throw new WebSocketException("The gateway closed the connection.");
            if (frame.Audio is { } audio)
            {
                reply.Audio.Write(audio);
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

    /// <summary>The status the gateway closed with, once it has.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public ClientWebSocket Socket => _socket;

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

/// <summary>What the device received for one utterance.</summary>
public sealed class DeviceReply
{
    public string? Heard { get; set; }
    public List<string> Sentences { get; } = [];
    public MemoryStream Audio { get; } = new();
    public List<DeviceMessage> Messages { get; } = [];
    public DeviceMessage? Error { get; set; }
}
