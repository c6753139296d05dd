using Microsoft.Extensions.Options;
using System.Net.WebSockets;
using Tutor.Gateway.Diagnostics;
using Tutor.Gateway.Listening;
using Tutor.Gateway.Sessions;
using Tutor.Gateway.Utterances;

namespace Tutor.Gateway.Devices;

/// <summary>Holds what every device connection shares and starts a <see cref="DeviceConnection"/> for each socket.</summary>
public sealed class DeviceConnectionHandler(
    SessionStore sessions,
    ReplyRelay replies,
    UtterancePublisher utterances,
    TurnAborter aborter,
    DeviceStatusBoard status,
    DeviceRegistry registry,
    StackExchange.Redis.IConnectionMultiplexer redis,
    SileroVadModel vad,
    IOptions<DeviceOptions> deviceOptions,
    IOptions<ListeningOptions> listeningOptions,
    GatewayTelemetry telemetry,
    IHostApplicationLifetime lifetime,
    ILogger<DeviceConnection> logger)
{
    /// <remarks>
    /// <see cref="IHostApplicationLifetime.ApplicationStopping"/> fires when the gateway begins to stop, before the web
    /// server stops: the connection closes with 1012 then, and the server's graceful stop waits for it.
    /// </remarks>
    public Task HandleAsync(WebSocket socket, DeviceSession session, string deviceId, CancellationToken requestAborted) =>
        new DeviceConnection(socket, session, deviceId, sessions, replies, utterances, aborter, status, registry, redis,
            new Listener(new SpeechDetector(vad, listeningOptions.Value), listeningOptions.Value),
            deviceOptions.Value, telemetry, logger).RunAsync(requestAborted, lifetime.ApplicationStopping);
}
