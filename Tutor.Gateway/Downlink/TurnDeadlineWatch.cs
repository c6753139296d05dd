using Tutor.Contracts.Devices;
using Tutor.Contracts.Transcripts;
using Tutor.Gateway.Devices;
using Tutor.Gateway.Diagnostics;
using Tutor.Gateway.Sessions;

namespace Tutor.Gateway.Downlink;

/// <summary>
/// Ends, for the device, every turn the workers have said nothing of for <see cref="SessionStore.TurnDeadline"/> — no
/// worker took it, or the one that did went silent — with <c>error</c> <c>turn_timeout</c>, and tells the workers to
/// drop it; whatever still comes for it is dropped by the relay. Nothing waits silently.
/// </summary>
public sealed class TurnDeadlineWatch(DeviceLink link, SessionStore sessions, GatewayTelemetry telemetry, ILogger<TurnDeadlineWatch> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var deadline = sessions.TurnDeadline;
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Clamp(deadline.Ticks / 5, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond)));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var overdue = link.Turns.Overdue(deadline);
            if (overdue.Count == 0) continue;

            logger.TurnsOverdue(overdue.Count, deadline);
            link.Player.Interrupt();
            foreach (var _ in overdue)
            {
                telemetry.DeviceErrors.Add(1, new KeyValuePair<string, object?>("code", DeviceErrorCodes.TurnTimeout));
                link.Player.Say("", DeviceMessage.Error(DeviceErrorCodes.TurnTimeout, "The tutor did not answer in time. Please say it again."));
            }
            // Redis may be what is failing: the watch does not wait for it before looking at the next turns.
            _ = Task.Run(async () =>
            {
                await link.SetStateAsync(DeviceStates.Listening);
                await link.TellWorkersAsync(overdue, CancellationToken.None);
            }, CancellationToken.None);
        }
    }
}
