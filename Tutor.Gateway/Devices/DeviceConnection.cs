using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Transcripts;
using Tutor.Gateway.Diagnostics;
using Tutor.Gateway.Listening;
using Tutor.Gateway.Sessions;
using Tutor.Gateway.Utterances;

namespace Tutor.Gateway.Devices;

/// <summary>
/// One device's connection, as docs/device-protocol.md describes it: the optional hello, turn taking (manual or voice
/// activity), utterances handed to the workers, replies played back, aborts, and the limits. Bad input gets an error
/// frame; only the inputs the document says close the socket do.
/// </summary>
public sealed class DeviceConnection
{
    private readonly WebSocket _socket;
    private readonly DeviceSession _session;
    private readonly SessionStore _sessions;
    private readonly ReplyRelay _replies;
    private readonly UtterancePublisher _utterances;
    private readonly TurnAborter _aborter;
    private readonly DeviceStatusBoard _status;
    private readonly IConnectionMultiplexer _redis;
    private readonly Listener _listener;
    private readonly DeviceOptions _limits;
    private readonly GatewayTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly DeviceSender _device;
    private readonly DeviceRegistry _registry;
    private readonly TurnTracker _turns = new();
    private readonly ReplyPlayer _player;
    private readonly TokenBucket _frames;
    private readonly TokenBucket _bytes;
    private UplinkDecoder _decoder = new(AudioParams.Pcm16Mono16k);
    private bool _negotiated;
    private volatile bool _resumable; // the connection ends without the device closing it: its session may be resumed
    private long _lastHeard = Stopwatch.GetTimestamp();
    private CancellationTokenSource? _connection;
    private volatile bool _replaced; // a newer connection of this device took over: the device's state is its to say

    public DeviceConnection(WebSocket socket, DeviceSession session, string deviceId, SessionStore sessions, ReplyRelay replies,
        UtterancePublisher utterances, TurnAborter aborter, DeviceStatusBoard status, DeviceRegistry registry, IConnectionMultiplexer redis,
        Listener listener, DeviceOptions limits, GatewayTelemetry telemetry, ILogger logger)
    {
        DeviceId = deviceId;
        _registry = registry;
        _status = status;
        _redis = redis;
        _socket = socket;
        _session = session;
        _sessions = sessions;
        _replies = replies;
        _utterances = utterances;
        _aborter = aborter;
        _listener = listener;
        _limits = limits;
        _telemetry = telemetry;
        _logger = logger;
        _device = new DeviceSender(socket, limits.SendQueueFrames);
        _player = new ReplyPlayer(_device, new DownlinkEncoder(AudioParams.Pcm16Mono16k), _turns, limits.ReplyPreBuffer, OnSpeakingAsync);
        _frames = new TokenBucket(limits.MaxFramesPerSecond, limits.FrameBurst);
        _bytes = new TokenBucket(limits.MaxUplinkBytesPerSecond, limits.UplinkBurstBytes);
    }

    public string UserId => _session.UserId;

    /// <summary>The device secret this connection signed in with (one connection per device).</summary>
    public string DeviceId { get; }

    public string SessionId => _session.SessionId;

    public string ConnectionId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>
    /// Runs until the socket closes, then closes the session. When the gateway stops (<paramref name="serverStopping"/>)
    /// the device is closed with <see cref="ServerRestarting"/> and reconnects — to this gateway once it is back, or to
    /// another behind the same address.
    /// </summary>
    public async Task RunAsync(CancellationToken requestAborted, CancellationToken serverStopping)
    {
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["SessionId"] = _session.SessionId, ["UserId"] = _session.UserId });
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        _connection = connection;
        // Not a cancellation of the receive loop (that would abort the socket): the close goes out and the device answers it.
        using var stopping = serverStopping.Register(() =>
        {
            _resumable = true;
            _logger.ToldToReconnect(_session.SessionId);
            _ = CloseFromServerAsync(ServerRestarting, "server restarting; reconnect", error: null);
        });
        using var registration = await _registry.RegisterAsync(this, requestAborted);
        _telemetry.ActiveSessions.Add(1);
        _logger.Connected(_session.UserId, _session.SessionId);

        await _status.SetAsync(_session.UserId, DeviceId, DeviceStates.Listening);
        var relay = Task.CompletedTask;
        var keepAlive = Task.WhenAll(_sessions.KeepAliveAsync(_session, connection.Token), KeepSeenAsync(connection.Token));
        var idleWatch = WatchIdleAsync(connection, connection.Token);
        var turnWatch = WatchTurnsAsync(connection.Token);
        var close = new CloseReason(WebSocketCloseStatus.NormalClosure, "bye");
        try
        {
            relay = await _replies.StartAsync(_session, _player, _turns, connection.Token);
            close = await ReceiveAsync(connection.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Dropped, not closed: the device may reconnect and resume the session.
            _resumable = true;
            _logger.Dropped(_session.SessionId, ex.Message);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            _logger.RedisFailedUnderSession(ex, _session.SessionId);
            close = new CloseReason(WebSocketCloseStatus.InternalServerError, "service unavailable");
        }
        finally
        {
            await ShutDownAsync(close, connection, relay, keepAlive, idleWatch, turnWatch);
        }
    }

    private async Task ShutDownAsync(CloseReason close, CancellationTokenSource connection, params Task[] background)
    {
        await _player.DisposeAsync();
        _listener.Dispose();
        using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _device.CloseAsync(close.Status, close.Description, closing.Token);
            await AwaitDeviceCloseAsync(closing.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Already gone.
        }
        await _device.DisposeAsync();
        await connection.CancelAsync();
        await Task.WhenAll(background).ContinueWith(_ => { }, TaskScheduler.Default);

        if (_resumable)
        {
            // The gateway is restarting or the connection dropped: the turns go on, their replies wait in the session's
            // stream, and the record stays (until it expires) for the device to resume the session on a new connection.
            _logger.LeftToResume(_session.SessionId);
        }
        else
        {
            var aborted = _turns.AbortAll();
            if (aborted.Count > 0)
            {
                // Nobody is left to hear these replies.
                await IgnoreRedisFailureAsync(() => _aborter.AbortAsync(_session, aborted, CancellationToken.None));
            }
            await IgnoreRedisFailureAsync(() => _sessions.CloseAsync(_session));
        }
        if (!_replaced) await _status.SetAsync(_session.UserId, DeviceId, DeviceStates.Offline);
        _telemetry.ActiveSessions.Add(-1);
        _logger.Closed(_session.SessionId, close.Status, close.Description);
    }

    /// <summary>
    /// When the server closes first (a limit, a bad hello), the device may still be sending: what it sends is read and
    /// dropped until its close arrives, so the close handshake completes and the device gets to read the error and the
    /// close code instead of a reset connection.
    /// </summary>
    private async Task AwaitDeviceCloseAsync(CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (_socket.State == WebSocketState.CloseSent)
            {
                var result = await _socket.ReceiveAsync(scratch.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close) break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private async Task<CloseReason> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_limits.MaxFrameBytes + 1);
        try
        {
            while (true)
            {
                var (type, length) = await ReceiveMessageAsync(buffer, cancellationToken);
                Volatile.Write(ref _lastHeard, Stopwatch.GetTimestamp());
                if (type == WebSocketMessageType.Close)
                {
                    return new CloseReason(WebSocketCloseStatus.NormalClosure, "bye");
                }
                if (type is null)
                {
                    await SendErrorAsync(DeviceErrorCodes.FrameTooLarge, $"A frame may be at most {_limits.MaxFrameBytes} bytes.", cancellationToken);
                    return new CloseReason(WebSocketCloseStatus.MessageTooBig, "frame too large");
                }
                if (!_frames.TryTake())
                {
                    await SendErrorAsync(DeviceErrorCodes.RateLimited,
                        $"At most {_limits.MaxFramesPerSecond} frames per second (bursts of {_limits.FrameBurst}).", cancellationToken);
                    return new CloseReason(WebSocketCloseStatus.PolicyViolation, "rate limit");
                }
                if (!_bytes.TryTake(length))
                {
                    await SendErrorAsync(DeviceErrorCodes.RateLimited,
                        $"At most {_limits.MaxUplinkBytesPerSecond} bytes per second (bursts of {_limits.UplinkBurstBytes}).", cancellationToken);
                    return new CloseReason(WebSocketCloseStatus.PolicyViolation, "byte rate limit");
                }

                var outcome = type == WebSocketMessageType.Binary
                    ? await HearAsync(buffer.AsMemory(0, length), cancellationToken)
                    : await HandleMessageAsync(Encoding.UTF8.GetString(buffer, 0, length), cancellationToken);
                if (outcome is not null) return outcome;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<CloseReason?> HearAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        _negotiated = true;
        ReadOnlyMemory<byte> pcm;
        try
        {
            pcm = _decoder.Decode(frame);
        }
        catch (InvalidDataException ex)
        {
            await SendErrorAsync(DeviceErrorCodes.BadAudio, $"{ex.Message} Audio must be {_decoder.Format.Format}, 16 kHz mono.", cancellationToken);
            return null;
        }

        foreach (var utterance in _listener.Hear(pcm))
        {
            await PublishAsync(utterance, cancellationToken);
        }
        return null;
    }

    private async Task<CloseReason?> HandleMessageAsync(string text, CancellationToken cancellationToken)
    {
        var message = TutorJson.TryDeserialize<DeviceMessage>(text);
        if (message?.Type is null)
        {
            await SendErrorAsync(DeviceErrorCodes.InvalidJson, "A text frame must be a JSON object with a \"type\".", cancellationToken);
            return null;
        }

        switch (message.Type)
        {
            case DeviceMessageTypes.Hello:
                return await GreetAsync(message, cancellationToken);
            case DeviceMessageTypes.Listen when message.State == ListenStates.Start:
                _negotiated = true;
                _listener.Start(message.Mode);
                break;
            case DeviceMessageTypes.Listen when message.State == ListenStates.Stop:
                _negotiated = true;
                foreach (var utterance in _listener.Stop()) await PublishAsync(utterance, cancellationToken);
                break;
            case DeviceMessageTypes.Listen when message.State == ListenStates.Detect:
                break; // a wake word the device heard; nothing to do here
            case DeviceMessageTypes.Abort:
                await AbortAsync(message.Reason, cancellationToken);
                break;
            default:
                await SendErrorAsync(DeviceErrorCodes.UnknownType,
                    $"Unknown message type '{Truncate(message.Type)}'{(message.State is null ? "" : $" with state '{Truncate(message.State)}'")}.", cancellationToken);
                break;
        }
        return null;
    }

    private async Task<CloseReason?> GreetAsync(DeviceMessage hello, CancellationToken cancellationToken)
    {
        if (_negotiated)
        {
            await SendErrorAsync(DeviceErrorCodes.UnexpectedHello, "hello must be the first message; the audio format is already set.", cancellationToken);
            return null;
        }

        var (audio, error) = AudioNegotiation.Negotiate(hello);
        if (audio is null)
        {
            await SendErrorAsync(DeviceErrorCodes.UnsupportedAudio, error!, cancellationToken);
            return new CloseReason(WebSocketCloseStatus.InvalidPayloadData, "unsupported audio");
        }

        _negotiated = true;
        _decoder = new UplinkDecoder(audio);
        _player.Use(new DownlinkEncoder(audio));
        await _device.SendAsync(DeviceMessage.ServerHello(_session.SessionId, audio), cancellationToken);
        _logger.Negotiated(_session.SessionId, audio.Format, audio.FrameMilliseconds);
        return null;
    }

    private async Task AbortAsync(string? reason, CancellationToken cancellationToken)
    {
        var aborted = _turns.AbortAll();
        _player.Interrupt();
        _logger.Aborted(aborted.Count, reason ?? "no reason given");
        if (aborted.Count > 0)
        {
            await IgnoreRedisFailureAsync(() => _aborter.AbortAsync(_session, aborted, cancellationToken));
        }
    }

    /// <summary>Hands the utterance to the workers; if Redis cannot take it, the device is told to say it again.</summary>
    private async Task PublishAsync(DetectedUtterance utterance, CancellationToken cancellationToken)
    {
        if (utterance.End == UtteranceEnd.TooShort)
        {
            await SendErrorAsync(DeviceErrorCodes.UtteranceTooShort,
                $"An utterance must be at least {_listener.MinimumUtterance.TotalMilliseconds:0} ms long; this one is not answered.", cancellationToken);
            return;
        }
        if (_turns.AwaitingCount >= _limits.MaxTurnsAwaiting)
        {
            await SendErrorAsync(DeviceErrorCodes.TooManyTurns,
                $"At most {_limits.MaxTurnsAwaiting} utterances may await their answers; this one is not answered. Wait for the tutor, or abort.", cancellationToken);
            return;
        }

        var audioKey = RedisKeys.NewUtteranceAudio(_session.SessionId);
        var turnId = RedisKeys.TurnIdOf(audioKey);
        _turns.Started(turnId);
        try
        {
            if (utterance.End == UtteranceEnd.MaxLength)
            {
                _logger.UtteranceCut();
            }
            await _utterances.PublishAsync(_session, audioKey, utterance.Audio, cancellationToken);
            await _status.SetAsync(_session.UserId, DeviceId, DeviceStates.Thinking);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            _turns.Finished(turnId);
            RedisFailures.Record(_logger, ex, "storing an utterance");
            await SendErrorAsync(DeviceErrorCodes.UtteranceNotStored, "The utterance could not be stored; please say it again.", cancellationToken);
        }
    }

    private Task OnSpeakingAsync(string turnId, string state)
    {
        if (state == DeviceStates.Speaking) TurnTimingFields.Mark(_redis.GetDatabase(), turnId, TurnTimingFields.FirstAudioSent);
        return _status.SetAsync(_session.UserId, DeviceId, state);
    }

    /// <summary>
    /// Another connection of the same device took over, or the device was revoked: the device hears why and is closed
    /// (1008). When the new connection resumed this very session, the session is left to it.
    /// </summary>
    public void Evict(string code, bool resumedElsewhere)
    {
        if (resumedElsewhere) _resumable = true;
        _replaced = code == DeviceErrorCodes.Replaced;
        var message = code == DeviceErrorCodes.DeviceRevoked
            ? "This device's secret was revoked by a parent."
            : "This device connected again on another connection; this one is closed.";
        _ = CloseFromServerAsync(WebSocketCloseStatus.PolicyViolation, code, (code, message));
    }

    /// <summary>Closes from the server's side (with an error first, if any); a device that does not answer the close is cut off.</summary>
    private async Task CloseFromServerAsync(WebSocketCloseStatus status, string description, (string Code, string Message)? error)
    {
        using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (error is { } e) await SendErrorAsync(e.Code, e.Message, closing.Token);
            await _device.CloseAsync(status, description, closing.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Already gone.
        }
        try
        {
            _connection?.CancelAfter(TimeSpan.FromSeconds(5));
        }
        catch (ObjectDisposedException)
        {
            // The connection ended meanwhile.
        }
    }

    /// <summary>Tells the parents' list of devices this one is still here, as often as the session record is refreshed.</summary>
    private async Task KeepSeenAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_sessions.RefreshInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken)) await _status.TouchAsync(_session.UserId, DeviceId);
    }

    /// <summary>Closes a connection that has sent nothing for <see cref="DeviceOptions.IdleTimeout"/>.</summary>
    private async Task WatchIdleAsync(CancellationTokenSource connection, CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(_limits.IdleTimeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond));
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            if (Stopwatch.GetElapsedTime(Volatile.Read(ref _lastHeard)) < _limits.IdleTimeout) continue;

            _logger.Idle(_session.SessionId, _limits.IdleTimeout);
            await SendErrorAsync(DeviceErrorCodes.IdleTimeout, $"Nothing received for {_limits.IdleTimeout.TotalSeconds:0} s.", cancellationToken);
            await _device.CloseAsync(WebSocketCloseStatus.NormalClosure, "idle timeout", cancellationToken);
            // The device answers the close and the receive loop ends; one that does not is cut off.
            connection.CancelAfter(TimeSpan.FromSeconds(5));
            return;
        }
    }

    /// <summary>
    /// Ends, for the device, every turn the workers have said nothing of for <see cref="SessionStore.TurnDeadline"/> — no
    /// worker took it, or the one that did went silent — with <c>error</c> <c>turn_timeout</c>, and tells the workers to
    /// drop it; whatever still comes for it is dropped here.
    /// </summary>
    private async Task WatchTurnsAsync(CancellationToken cancellationToken)
    {
        var deadline = _sessions.TurnDeadline;
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Clamp(deadline.Ticks / 5, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond)));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var overdue = _turns.Overdue(deadline);
            if (overdue.Count == 0) continue;

            _logger.TurnsOverdue(overdue.Count, _session.SessionId, deadline);
            _player.Interrupt();
            foreach (var _ in overdue)
            {
                _telemetry.DeviceErrors.Add(1, new KeyValuePair<string, object?>("code", DeviceErrorCodes.TurnTimeout));
                _player.Say("", DeviceMessage.Error(DeviceErrorCodes.TurnTimeout, "The tutor did not answer in time. Please say it again."));
            }
            // Redis may be what is failing: the watch does not wait for it before looking at the next turns.
            _ = Task.Run(async () =>
            {
                await _status.SetAsync(_session.UserId, DeviceId, DeviceStates.Listening);
                await IgnoreRedisFailureAsync(() => _aborter.AbortAsync(_session, overdue, CancellationToken.None));
            }, CancellationToken.None);
        }
    }

    private ValueTask SendErrorAsync(string code, string message, CancellationToken cancellationToken)
    {
        _telemetry.DeviceErrors.Add(1, new KeyValuePair<string, object?>("code", code));
        _logger.DeviceError(code, message);
        return _device.SendAsync(DeviceMessage.Error(code, message), cancellationToken);
    }

    /// <summary>Reads one whole message into <paramref name="buffer"/>; a null type means it was longer than the limit.</summary>
    private async Task<(WebSocketMessageType? Type, int Length)> ReceiveMessageAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer.AsMemory(length, _limits.MaxFrameBytes + 1 - length), cancellationToken);
            length += result.Count;
            if (length > _limits.MaxFrameBytes) return (null, length);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close) return (result.MessageType, length);
        }
    }

    private async Task IgnoreRedisFailureAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex.IsRedisFailure() || ex is OperationCanceledException)
        {
            _logger.CleanUpFailed(ex, _session.SessionId);
        }
    }

    private static string Truncate(string value) => value.Length <= 32 ? value : value[..32] + "…";

    /// <summary>RFC 6455's 1012 "service restart": the device should reconnect after a short, random delay.</summary>
    public const WebSocketCloseStatus ServerRestarting = (WebSocketCloseStatus)1012;

    private sealed record CloseReason(WebSocketCloseStatus Status, string Description);
}
