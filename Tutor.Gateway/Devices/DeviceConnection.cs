using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Transcripts;
using Tutor.Gateway.Diagnostics;
using Tutor.Gateway.Downlink;
using Tutor.Gateway.Sessions;
using Tutor.Gateway.Uplink;

namespace Tutor.Gateway.Devices;

/// <summary>
/// One device's connection from upgrade to close, as docs/device-protocol.md describes it. It only composes and ends:
/// the uplink (<see cref="FrameReader"/> → <see cref="DeviceProtocol"/> → <see cref="UtteranceIntake"/>) and the downlink
/// (<see cref="ReplyRelay"/> → <see cref="ReplyPlayer"/> → <see cref="DeviceSender"/>) share a <see cref="DeviceLink"/>;
/// beside them run the session's keep-alive, the idle watch and the <see cref="TurnDeadlineWatch"/>. How it ends
/// decides what becomes of the session: closed by the device → closed; dropped, or the gateway stopping → left for the
/// device to resume; evicted → as the eviction says. Over 200 lines because those endings (device close, drop, limit,
/// idle, eviction, gateway stop) and the order of the shutdown steps belong together.
/// </summary>
public sealed class DeviceConnection
{
    /// <summary>Made once per connection by <see cref="DeviceApi"/>: the socket, session and device id, the rest from the services.</summary>
    public static readonly ObjectFactory<DeviceConnection> Create =
        ActivatorUtilities.CreateFactory<DeviceConnection>([typeof(WebSocket), typeof(DeviceSession), typeof(string)]);

    private readonly IServiceProvider _services;
    private readonly SessionStore _sessions;
    private readonly ReplyRelay _replies;
    private readonly DeviceRegistry _registry;
    private readonly DeviceOptions _limits;
    private readonly GatewayTelemetry _telemetry;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly DeviceLink _link;
    private readonly FrameReader _reader;
    private CancellationTokenSource? _connection;
    private volatile bool _resumable; // the connection ends without the device closing it: its session may be resumed
    private volatile bool _replaced; // a newer connection of this device took over: the device's state is its to say

    public DeviceConnection(WebSocket socket, DeviceSession session, string deviceId, IServiceProvider services, SessionStore sessions,
        ReplyRelay replies, DeviceRegistry registry, IOptions<DeviceOptions> limits, GatewayTelemetry telemetry, IHostApplicationLifetime lifetime,
        ILogger<DeviceConnection> logger)
    {
        _services = services;
        _sessions = sessions;
        _replies = replies;
        _registry = registry;
        _limits = limits.Value;
        _telemetry = telemetry;
        _lifetime = lifetime;
        _logger = logger;
        _link = ActivatorUtilities.CreateInstance<DeviceLink>(services, socket, session, deviceId);
        _reader = new FrameReader(socket, FrameLimits.Of(_limits));
    }

    public string UserId => _link.Session.UserId;

    /// <summary>The device secret this connection signed in with (one connection per device).</summary>
    public string DeviceId => _link.DeviceId;

    public string SessionId => _link.Session.SessionId;

    public string ConnectionId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>
    /// Runs until the socket closes, then ends the session. When the gateway begins to stop
    /// (<see cref="IHostApplicationLifetime.ApplicationStopping"/>, before the web server stops, whose graceful stop waits
    /// for this) the device is closed with 1012 and reconnects — to this gateway once it is back, or to another.
    /// </summary>
    public async Task RunAsync(CancellationToken requestAborted)
    {
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["SessionId"] = SessionId, ["UserId"] = UserId });
        // Nothing of the connection is a child of its hours-long request span: each turn is a trace of its own (linked to
        // it), and the keep-alive and watches make none (BackgroundCommandsSampler).
        Activity.Current = null;
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        _connection = connection;
        // Not a cancellation of the receive loop (that would abort the socket): the close goes out and the device answers it.
        using var stopping = _lifetime.ApplicationStopping.Register(() =>
        {
            _resumable = true;
            _logger.ToldToReconnect();
            _ = CloseFromServerAsync(CloseReason.ServerRestarting, error: null);
        });
        using var registration = await _registry.RegisterAsync(this, requestAborted);
        using var intake = ActivatorUtilities.CreateInstance<UtteranceIntake>(_services, _link);
        var protocol = ActivatorUtilities.CreateInstance<DeviceProtocol>(_services, _link, intake);
        _telemetry.ActiveSessions.Add(1);
        _logger.Connected(UserId, SessionId);

        await _link.SetStateAsync(DeviceStates.Listening);
        var relay = Task.CompletedTask;
        var background = new[]
        {
            _sessions.KeepAliveAsync(_link.Session, connection.Token),
            KeepSeenAsync(connection.Token),
            WatchIdleAsync(connection, connection.Token),
            ActivatorUtilities.CreateInstance<TurnDeadlineWatch>(_services, _link).RunAsync(connection.Token),
        };
        var close = CloseReason.Bye;
        try
        {
            relay = await _replies.StartAsync(_link.Session, _link.Player, _link.Turns, connection.Token);
            close = await ReceiveAsync(protocol, connection.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Dropped, not closed: the device may reconnect and resume the session.
            _resumable = true;
            _logger.Dropped(ex.Message);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            _logger.RedisFailedUnderSession(ex);
            close = new CloseReason(WebSocketCloseStatus.InternalServerError, "service unavailable");
        }
        finally
        {
            await ShutDownAsync(close, connection, [relay, .. background]);
        }
    }

    /// <summary>The uplink: whole frames within the limits, text to the protocol, audio to the intake, until a close.</summary>
    private async Task<CloseReason> ReceiveAsync(DeviceProtocol protocol, CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await _reader.ReadAsync(cancellationToken);
            if (frame.Breach is { } breach)
            {
                await _link.SendErrorAsync(breach.Code, breach.Message, cancellationToken);
                return breach.Close;
            }
            switch (frame.Type)
            {
                case WebSocketMessageType.Close:
                    return CloseReason.Bye;
                case WebSocketMessageType.Binary:
                    await protocol.HearAsync(frame.Payload, cancellationToken);
                    break;
                default:
                    if (await protocol.HandleAsync(frame.Payload, cancellationToken) is { } close) return close;
                    break;
            }
        }
    }

    private async Task ShutDownAsync(CloseReason close, CancellationTokenSource connection, Task[] background)
    {
        await _link.Player.DisposeAsync();
        using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _link.Sender.CloseAsync(close.Status, close.Description, closing.Token);
            await _reader.DrainUntilCloseAsync(closing.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Already gone.
        }
        await _link.Sender.DisposeAsync();
        await connection.CancelAsync();
        await Task.WhenAll(background).ContinueWith(_ => { }, TaskScheduler.Default);
        _reader.Dispose();

        if (_resumable)
        {
            // The gateway is restarting or the connection dropped: the turns go on, their replies wait in the session's
            // stream, and the record stays (until it expires) for the device to resume the session on a new connection.
            _logger.LeftToResume();
        }
        else
        {
            // Nobody is left to hear these replies.
            await _link.AbortTurnsAsync(interrupt: false, CancellationToken.None);
            await _link.BestEffortAsync(() => _sessions.CloseAsync(_link.Session));
        }
        _link.Turns.EndTraces();
        if (!_replaced) await _link.SetStateAsync(DeviceStates.Offline);
        _telemetry.ActiveSessions.Add(-1);
        _logger.Closed(close.Status, close.Description);
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
        _ = CloseFromServerAsync(new CloseReason(WebSocketCloseStatus.PolicyViolation, code), (code, message));
    }

    /// <summary>Closes from the server's side (with an error first, if any); a device that does not answer the close is cut off.</summary>
    private async Task CloseFromServerAsync(CloseReason close, (string Code, string Message)? error)
    {
        using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (error is { } e) await _link.SendErrorAsync(e.Code, e.Message, closing.Token);
            await _link.Sender.CloseAsync(close.Status, close.Description, closing.Token);
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
        while (await timer.WaitForNextTickAsync(cancellationToken)) await _link.TouchAsync();
    }

    /// <summary>Closes a connection that has sent nothing for <see cref="DeviceOptions.IdleTimeout"/>.</summary>
    private async Task WatchIdleAsync(CancellationTokenSource connection, CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(_limits.IdleTimeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond));
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            if (_reader.Silence < _limits.IdleTimeout) continue;

            _logger.Idle(_limits.IdleTimeout);
            await _link.SendErrorAsync(DeviceErrorCodes.IdleTimeout, $"Nothing received for {_limits.IdleTimeout.TotalSeconds:0} s.", cancellationToken);
            await _link.Sender.CloseAsync(WebSocketCloseStatus.NormalClosure, "idle timeout", cancellationToken);
            // The device answers the close and the receive loop ends; one that does not is cut off.
            connection.CancelAfter(TimeSpan.FromSeconds(5));
            return;
        }
    }
}
