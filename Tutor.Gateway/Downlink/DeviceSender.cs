using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;

namespace Tutor.Gateway.Downlink;

/// <summary>
/// The only writer to a device's socket. A WebSocket allows one send at a time, and both the receive loop (errors) and
/// the reply relay (audio) talk to the device, so every frame goes through this queue in order.
/// </summary>
public sealed class DeviceSender : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly Channel<OutgoingFrame> _frames;
    private readonly Task _pump;
    private readonly CancellationTokenSource _stop = new();

    public DeviceSender(WebSocket socket, int queueFrames)
    {
        _socket = socket;
        _frames = Channel.CreateBounded<OutgoingFrame>(new BoundedChannelOptions(queueFrames)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _pump = PumpAsync(_stop.Token);
    }

    /// <summary>Completes when the socket can no longer be written to.</summary>
    public Task Completion => _pump;

    public ValueTask SendAsync(DeviceMessage message, CancellationToken cancellationToken) =>
        _frames.Writer.WriteAsync(new OutgoingFrame(WebSocketMessageType.Text, Encoding.UTF8.GetBytes(TutorJson.Serialize(message))), cancellationToken);

    /// <summary>Queues one binary frame (audio in the device's format).</summary>
    public ValueTask SendBinaryAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        _frames.Writer.WriteAsync(new OutgoingFrame(WebSocketMessageType.Binary, frame), cancellationToken);

    /// <summary>Sends what is queued, then closes the socket with <paramref name="status"/>.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string description, CancellationToken cancellationToken)
    {
        _frames.Writer.TryComplete();
        await _pump.WaitAsync(cancellationToken);
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await _socket.CloseOutputAsync(status, description, cancellationToken);
        }
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var frame in _frames.Reader.ReadAllAsync(cancellationToken))
            {
                if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) break;
                await _socket.SendAsync(frame.Payload, frame.Type, endOfMessage: true, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The device went away; the receive loop notices and ends the session.
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _frames.Writer.TryComplete();
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }

    private readonly record struct OutgoingFrame(WebSocketMessageType Type, ReadOnlyMemory<byte> Payload);
}
