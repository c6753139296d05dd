using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Tutor.Tests.Infrastructure;

/// <summary>
/// A WebSocket client written from xiaozhi's documents alone (78/xiaozhi-esp32 docs/websocket.md and
/// main/protocols/websocket_protocol.cc), not from Tutor's: raw JSON text and bare Opus packets (binary protocol version 1),
/// so a compatibility test cannot pass because Tutor's own client and server agree on something xiaozhi does not say.
/// </summary>
public sealed class XiaozhiSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;

    private XiaozhiSocket(ClientWebSocket socket) => _socket = socket;

    /// <summary>Connects as the firmware does: the headers of <c>WebsocketProtocol::OpenAudioChannel</c>.</summary>
    public static async Task<XiaozhiSocket> ConnectWithHeadersAsync(Uri url, string token, string deviceId, string clientId, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        socket.Options.SetRequestHeader("Protocol-Version", "1");
        socket.Options.SetRequestHeader("Device-Id", deviceId);
        socket.Options.SetRequestHeader("Client-Id", clientId);
        await socket.ConnectAsync(url, cancellationToken);
        return new XiaozhiSocket(socket);
    }

    /// <summary>Connects as xiaozhi's browser clients do (ota-connector.js): the credentials in the query string.</summary>
    public static async Task<XiaozhiSocket> ConnectWithQueryAsync(Uri url, string token, string deviceId, string clientId, CancellationToken cancellationToken)
    {
        var query = $"authorization={Uri.EscapeDataString("Bearer " + token)}&device-id={Uri.EscapeDataString(deviceId)}&client-id={Uri.EscapeDataString(clientId)}";
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(url) { Query = query }.Uri, cancellationToken);
        return new XiaozhiSocket(socket);
    }

    public Task SendTextAsync(string json, CancellationToken cancellationToken) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, cancellationToken);

    public Task SendBinaryAsync(ReadOnlyMemory<byte> packet, CancellationToken cancellationToken) =>
        _socket.SendAsync(packet, WebSocketMessageType.Binary, true, cancellationToken).AsTask();

    /// <summary>The next message: JSON text, or a binary frame; null when the server closed.</summary>
    public async Task<Received?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            length += result.Count;
            if (!result.EndOfMessage) continue;
            var at = Stopwatch.GetTimestamp();
            return result.MessageType == WebSocketMessageType.Text
                ? new Received(JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone(), null, at)
                : new Received(null, buffer[..length], at);
        }
    }

    /// <summary>The next text message; binary frames before it are skipped.</summary>
    public async Task<JsonElement> NextJsonAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var received = await ReceiveAsync(cancellationToken) ?? throw new InvalidOperationException("The server closed the socket.");
            if (received.Json is { } json) return json;
        }
    }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Gone already.
        }
        _socket.Dispose();
    }

    public sealed record Received(JsonElement? Json, byte[]? Binary, long At)
    {
        public string? Type => Json?.GetProperty("type").GetString();
        public string? State => Json is { } json && json.TryGetProperty("state", out var state) ? state.GetString() : null;
    }
}
