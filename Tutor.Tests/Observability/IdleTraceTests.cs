using System.Diagnostics;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Observability;

/// <summary>
/// The dashboard lists traces of work only: a gateway with a device connected and a worker, both idle, export no trace
/// of their own — their polling (the queue's read and lease sweep, keep-alives, presence) is there, just not as traces.
/// </summary>
[Collection(AloneTests.Collection)]
public sealed class IdleTraceTests : TurnTestBed
{
    private static readonly ExportedTelemetry GatewayTelemetry = new();
    private static readonly ExportedTelemetry WorkerTelemetry = new();

    // Every loop at its fastest, so the watch holds more polls than a default idle minute (about 60 queue reads,
    // 12 lease sweeps, 20 announcement reads and 2 keep-alives with a device connected).
    public IdleTraceTests() : base(
        new Dictionary<string, string> { ["Sessions:RefreshInterval"] = "00:00:01", ["Sessions:RecordLifetime"] = "00:00:10" },
        GatewayTelemetry.AddTo, WorkerTelemetry.AddTo,
        new Dictionary<string, string> { ["Turns:PollInterval"] = "00:00:00.100", ["Turns:ClaimLease"] = "00:00:01" })
    {
    }

    [Fact]
    public async Task An_idle_gateway_and_worker_start_no_trace()
    {
        var deviceToken = Gateway.Families.Child("idle-child");
        await using var device = await Tutor.Device.DeviceClient.ConnectAsync(Gateway.BaseAddress, "idle-child", deviceToken,
            Tutor.Device.DeviceProfile.Pcm16, CancellationToken.None);
        // The services share this process with the test's device and other tests' stand-ins: a client span, or a request
        // served on another port, is not theirs.
        IEnumerable<Activity> Roots() => GatewayTelemetry.Roots.Concat(WorkerTelemetry.Roots).Where(r => r.Source.Name != "System.Net.Http"
            && (r.Source.Name != "Microsoft.AspNetCore" || Equals(r.GetTagItem("server.port"), Gateway.BaseAddress.Port)));
        var rootsBefore = Roots().Count();

        await Never.HappensAsync(() => Roots().Count() > rootsBefore,
            () => $"a root span ({string.Join(", ", Roots().Select(r => $"{r.Source.Name} {r.DisplayName} {r.GetTagItem("db.query.text") ?? r.GetTagItem("db.statement")}"))})",
            TimeSpan.FromSeconds(15)); // longer than the Redis instrumentation's 10 s flush of commands made outside any span

        // The capture works: the device's connection is a trace once it ends.
        await device.DisposeAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(GatewayTelemetry.Spans.Any(s => s.Contains("/ws/", StringComparison.Ordinal))),
            "the device's connection is exported: " + string.Join("\n", GatewayTelemetry.Spans.Concat(WorkerTelemetry.Spans).Take(30)), TimeSpan.FromSeconds(5));
    }
}
