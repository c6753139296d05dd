using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Transcripts;
using Tutor.Gateway.Diagnostics;
using Tutor.Gateway.Downlink;
using Tutor.Gateway.Sessions;

namespace Tutor.Gateway.Devices;

/// <summary>
/// What the parts of one device connection share: whose session it is, the one writer to the socket, the turns that
/// await replies and the reply player. The uplink (protocol, utterance intake), the downlink (relay, deadline watch) and
/// the connection reach the device through here, so an error to the device is counted and logged in one place, and the
/// device's state on the parents' page is set in one place.
/// </summary>
public sealed class DeviceLink
{
    private readonly DeviceStatusBoard _status;
    private readonly TurnAborter _aborter;
    private readonly IConnectionMultiplexer _redis;
    private readonly GatewayTelemetry _telemetry;
    private readonly ILogger _logger;

    public DeviceLink(WebSocket socket, DeviceSession session, string deviceId, DeviceStatusBoard status, TurnAborter aborter,
        IConnectionMultiplexer redis, IOptions<DeviceOptions> options, GatewayTelemetry telemetry, ILogger<DeviceLink> logger)
    {
        Session = session;
        DeviceId = deviceId;
        _status = status;
        _aborter = aborter;
        _redis = redis;
        _telemetry = telemetry;
        _logger = logger;
        // Made while the upgrade's request span is current: each turn's trace links to it.
        Turns = new TurnTracker(Activity.Current?.Context ?? default);
        Sender = new DeviceSender(socket, options.Value.SendQueueFrames);
        Player = new ReplyPlayer(Sender, new DownlinkEncoder(AudioParams.Pcm16Mono16k), Turns, options.Value.ReplyPreBuffer, OnSpeakingAsync);
    }

    public DeviceSession Session { get; }

    /// <summary>The device secret this connection signed in with (one connection per device).</summary>
    public string DeviceId { get; }

    public DeviceSender Sender { get; }

    public TurnTracker Turns { get; }

    public ReplyPlayer Player { get; }

    /// <summary>Shows the device's state (listening, thinking, speaking, offline) to the child's parents.</summary>
    public Task SetStateAsync(string state) => _status.SetAsync(Session.UserId, DeviceId, state);

    /// <summary>Tells the parents' list of devices this one is still here.</summary>
    public Task TouchAsync() => _status.TouchAsync(Session.UserId, DeviceId);

    public ValueTask SendErrorAsync(string code, string message, CancellationToken cancellationToken)
    {
        _telemetry.DeviceErrors.Add(1, new KeyValuePair<string, object?>("code", code));
        _logger.DeviceError(code, message);
        return Sender.SendAsync(DeviceMessage.Error(code, message), cancellationToken);
    }

    /// <summary>
    /// Ends every turn still awaited (and, when <paramref name="interrupt"/>, what is playing — after the turns are marked,
    /// so the player starts nothing more of them) and tells the workers to drop them; returns how many there were.
    /// </summary>
    public async Task<int> AbortTurnsAsync(bool interrupt, CancellationToken cancellationToken)
    {
        var aborted = Turns.AbortAll();
        if (interrupt) Player.Interrupt();
        if (aborted.Count > 0) await TellWorkersAsync(aborted, cancellationToken);
        return aborted.Count;
    }

    /// <summary>Tells the workers to drop these turns; Redis failing here costs only the workers' time, so it is logged, not thrown.</summary>
    public Task TellWorkersAsync(IReadOnlyList<string> aborted, CancellationToken cancellationToken) =>
        BestEffortAsync(() => _aborter.AbortAsync(Session, aborted, cancellationToken));

    /// <summary>Runs a clean-up whose keys also expire by themselves: a Redis failure (or the end of the connection) is only logged.</summary>
    public async Task BestEffortAsync(Func<Task> cleanUp)
    {
        try
        {
            await cleanUp();
        }
        catch (Exception ex) when (ex.IsRedisFailure() || ex is OperationCanceledException)
        {
            _logger.CleanUpFailed(ex);
        }
    }

    private Task OnSpeakingAsync(string turnId, string state)
    {
        if (state == DeviceStates.Speaking)
        {
            TurnTimingFields.Mark(_redis.GetDatabase(), turnId, TurnTimingFields.FirstAudioSent);
            if (Turns.FirstAudioSent(turnId) is { } latency) _telemetry.FirstAudio.Record(latency.TotalSeconds);
        }
        return SetStateAsync(state);
    }
}
