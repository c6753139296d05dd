using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using Tutor.Contracts.Devices;
using Tutor.Gateway.Devices;

namespace Tutor.Gateway.Uplink;

/// <summary>
/// Reads a device's frames whole, within the limits of docs/device-protocol.md: a frame over
/// <see cref="FrameLimits.MaxFrameBytes"/>, or frames or bytes beyond their rates, come back as a
/// <see cref="LimitBreach"/> that ends the connection. Remembers when the device was last heard, for the idle watch.
/// One per connection (device or pairing); the frame's bytes live in one pooled buffer, valid until the next read.
/// </summary>
public sealed class FrameReader(WebSocket socket, FrameLimits limits) : IDisposable
{
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(limits.MaxFrameBytes + 1);
    private readonly TokenBucket _frames = new(limits.MaxFramesPerSecond, limits.FrameBurst);
    private readonly TokenBucket _bytes = new(limits.MaxBytesPerSecond, limits.BytesBurst);
    private long _lastHeard = Stopwatch.GetTimestamp();

    /// <summary>How long the device has sent nothing.</summary>
    public TimeSpan Silence => Stopwatch.GetElapsedTime(Volatile.Read(ref _lastHeard));

    public async Task<UplinkFrame> ReadAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(_buffer.AsMemory(length, limits.MaxFrameBytes + 1 - length), cancellationToken);
            length += result.Count;
            if (length > limits.MaxFrameBytes)
            {
                Volatile.Write(ref _lastHeard, Stopwatch.GetTimestamp());
                return UplinkFrame.Breached(new LimitBreach(DeviceErrorCodes.FrameTooLarge, $"A frame may be at most {limits.MaxFrameBytes} bytes.",
                    new CloseReason(WebSocketCloseStatus.MessageTooBig, "frame too large")));
            }
        }
        while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
        Volatile.Write(ref _lastHeard, Stopwatch.GetTimestamp());

        if (result.MessageType == WebSocketMessageType.Close) return new UplinkFrame(WebSocketMessageType.Close, default, null);
        if (!_frames.TryTake())
        {
            return UplinkFrame.Breached(new LimitBreach(DeviceErrorCodes.RateLimited,
                $"At most {limits.MaxFramesPerSecond} frames per second (bursts of {limits.FrameBurst}).",
                new CloseReason(WebSocketCloseStatus.PolicyViolation, "rate limit")));
        }
        if (!_bytes.TryTake(length))
        {
            return UplinkFrame.Breached(new LimitBreach(DeviceErrorCodes.RateLimited,
                $"At most {limits.MaxBytesPerSecond} bytes per second (bursts of {limits.BytesBurst}).",
                new CloseReason(WebSocketCloseStatus.PolicyViolation, "byte rate limit")));
        }
        return new UplinkFrame(result.MessageType, _buffer.AsMemory(0, length), null);
    }

    /// <summary>
    /// When the server closes first (a limit, a bad hello), the device may still be sending: what it sends is read and
    /// dropped until its close arrives, so the close handshake completes and the device gets to read the error and the
    /// close code instead of a reset connection.
    /// </summary>
    public async Task DrainUntilCloseAsync(CancellationToken cancellationToken)
    {
        while (socket.State == WebSocketState.CloseSent)
        {
            var result = await socket.ReceiveAsync(_buffer.AsMemory(), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close) break;
        }
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}

/// <summary>What a <see cref="FrameReader"/> lets through; a device connection's come from <see cref="DeviceOptions"/>.</summary>
public sealed record FrameLimits(int MaxFrameBytes, int MaxFramesPerSecond, int FrameBurst, int MaxBytesPerSecond, int BytesBurst)
{
    public static FrameLimits Of(DeviceOptions options) => new(options.MaxFrameBytes, options.MaxFramesPerSecond, options.FrameBurst,
        options.MaxUplinkBytesPerSecond, options.UplinkBurstBytes);
}

/// <summary>One whole frame from the device, or the limit it broke (then nothing else is read).</summary>
public readonly record struct UplinkFrame(WebSocketMessageType Type, ReadOnlyMemory<byte> Payload, LimitBreach? Breach)
{
    public static UplinkFrame Breached(LimitBreach breach) => new(WebSocketMessageType.Close, default, breach);
}

/// <summary>A limit the device broke: the error it is sent, then the close.</summary>
public sealed record LimitBreach(string Code, string Message, CloseReason Close);
