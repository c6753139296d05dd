using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Gateway.Diagnostics;
using Tutor.Gateway.Sessions;
using Tutor.Gateway.Utterances;

namespace Tutor.Gateway.Devices;

/// <summary>
/// Runs one device's connection: opens its session, relays replies to it, and turns its audio frames into utterances.
/// Bad input gets an error frame; only a frame too large to read closes the socket.
/// </summary>
public sealed class DeviceConnectionHandler(
    SessionStore sessions,
    ReplyRelay replies,
    UtterancePublisher utterances,
    IOptions<DeviceOptions> options,
    GatewayTelemetry telemetry,
    ILogger<DeviceConnectionHandler> logger)
{
    /// <summary>Runs the connection of an opened <paramref name="session"/> until the socket closes, then closes the session.</summary>
    public async Task HandleAsync(WebSocket socket, DeviceSession session, CancellationToken requestAborted)
    {
        var limits = options.Value;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["SessionId"] = session.SessionId, ["UserId"] = session.UserId });
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        await using var device = new DeviceSender(socket, limits.SendQueueFrames, limits.DownlinkFrameBytes);
        telemetry.ActiveSessions.Add(1);
        logger.LogInformation("Device of user {UserId} connected as session {SessionId}", session.UserId, session.SessionId);

        var relay = Task.CompletedTask;
        var keepAlive = sessions.KeepAliveAsync(session, connection.Token);
        var closeStatus = WebSocketCloseStatus.NormalClosure;
        var closeReason = "bye";
        try
        {
            relay = await replies.StartAsync(session, device, connection.Token);
            await device.SendAsync(DeviceMessage.ServerHello(session.SessionId, AudioParams.Pcm16Mono16k), connection.Token);
            (closeStatus, closeReason) = await ReceiveAsync(socket, session, device, limits, connection.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            logger.LogInformation("Device connection of session {SessionId} ended: {Reason}", session.SessionId, ex.Message);
        }
        catch (RedisException ex)
        {
            logger.LogError(ex, "Redis failed under session {SessionId}; closing it", session.SessionId);
            (closeStatus, closeReason) = (WebSocketCloseStatus.InternalServerError, "service unavailable");
        }
        finally
        {
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await device.CloseAsync(closeStatus, closeReason, closing.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Already gone.
            }
            await connection.CancelAsync();
            await Task.WhenAll(relay, keepAlive).ContinueWith(_ => { }, TaskScheduler.Default);
            try
            {
                await sessions.CloseAsync(session);
            }
            catch (RedisException ex)
            {
                logger.LogWarning(ex, "Session record {SessionId} not deleted; it expires by itself", session.SessionId);
            }
            telemetry.ActiveSessions.Add(-1);
            logger.LogInformation("Session {SessionId} closed ({Status})", session.SessionId, closeStatus);
        }
    }

    private async Task<(WebSocketCloseStatus, string)> ReceiveAsync(
        WebSocket socket, DeviceSession session, DeviceSender device, DeviceOptions limits, CancellationToken cancellationToken)
    {
        var maxUtteranceBytes = (int)(limits.MaxUtteranceLength.TotalSeconds * session.Uplink.SampleRate * session.Uplink.Channels * 2);
        var utterance = new UtteranceBuffer(maxUtteranceBytes);
        var buffer = ArrayPool<byte>.Shared.Rent(limits.MaxFrameBytes + 1);
        try
        {
            while (true)
            {
                var (type, length) = await ReceiveMessageAsync(socket, buffer, limits.MaxFrameBytes, cancellationToken);
                switch (type)
                {
                    case WebSocketMessageType.Close:
                        return (WebSocketCloseStatus.NormalClosure, "bye");
                    case null:
                        await SendErrorAsync(device, DeviceErrorCodes.FrameTooLarge, $"A frame may be at most {limits.MaxFrameBytes} bytes.", cancellationToken);
                        return (WebSocketCloseStatus.MessageTooBig, "frame too large");
                    case WebSocketMessageType.Binary:
                        var rest = utterance.Append(buffer.AsMemory(0, length));
                        while (utterance.IsFull)
                        {
                            logger.LogInformation("Utterance reached the {Limit} limit; cut and processed", limits.MaxUtteranceLength);
                            await PublishAsync(session, device, utterance.Take(), cancellationToken);
                            rest = utterance.Append(rest);
                        }
                        break;
                    case WebSocketMessageType.Text:
                        await HandleTextAsync(Encoding.UTF8.GetString(buffer, 0, length), session, device, utterance, cancellationToken);
                        break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task HandleTextAsync(string text, DeviceSession session, DeviceSender device, UtteranceBuffer utterance, CancellationToken cancellationToken)
    {
        var message = TutorJson.TryDeserialize<DeviceMessage>(text);
        if (message?.Type is null)
        {
            await SendErrorAsync(device, DeviceErrorCodes.InvalidJson, "A text frame must be a JSON object with a \"type\".", cancellationToken);
            return;
        }

        switch (message.Type)
        {
            case DeviceMessageTypes.Listen when message.State == ListenStates.Start:
                utterance.Clear();
                break;
            case DeviceMessageTypes.Listen when message.State == ListenStates.Stop:
                if (utterance.IsEmpty)
                {
                    logger.LogDebug("listen stop with no audio; nothing to process");
                    break;
                }
                await PublishAsync(session, device, utterance.Take(), cancellationToken);
                break;
            case DeviceMessageTypes.Hello:
                break; // The full handshake comes with the device protocol; plain PCM16 16 kHz is assumed.
            default:
                await SendErrorAsync(device, DeviceErrorCodes.UnknownType, $"Unknown message type '{Truncate(message.Type)}' or state.", cancellationToken);
                break;
        }
    }

    /// <summary>Hands the utterance to the workers; if Redis cannot take it, the device is told to say it again.</summary>
    private async Task PublishAsync(DeviceSession session, DeviceSender device, byte[] audio, CancellationToken cancellationToken)
    {
        try
        {
            await utterances.PublishAsync(session, audio, cancellationToken);
        }
        catch (RedisException ex)
        {
            logger.LogError(ex, "Utterance of session {SessionId} could not be stored", session.SessionId);
            await SendErrorAsync(device, DeviceErrorCodes.UtteranceNotStored, "The utterance could not be stored; please say it again.", cancellationToken);
        }
    }

    private ValueTask SendErrorAsync(DeviceSender device, string code, string message, CancellationToken cancellationToken)
    {
        telemetry.DeviceErrors.Add(1, new KeyValuePair<string, object?>("code", code));
        logger.LogWarning("Device error {Code}: {Message}", code, message);
        return device.SendAsync(DeviceMessage.Error(code, message), cancellationToken);
    }

    /// <summary>Reads one whole message into <paramref name="buffer"/>; a null type means it was longer than <paramref name="maxBytes"/>.</summary>
    private static async Task<(WebSocketMessageType? Type, int Length)> ReceiveMessageAsync(
        WebSocket socket, byte[] buffer, int maxBytes, CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length, maxBytes + 1 - length), cancellationToken);
            length += result.Count;
            if (length > maxBytes) return (null, length);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close) return (result.MessageType, length);
        }
    }

    private static string Truncate(string value) => value.Length <= 32 ? value : value[..32] + "…";
}
