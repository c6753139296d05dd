using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tutor.Gateway.Diagnostics;

/// <summary>The gateway's traces and metrics, shown on the Aspire dashboard.</summary>
public sealed class GatewayTelemetry
{
    public const string Name = "Tutor.Gateway";

    public static readonly ActivitySource ActivitySource = new(Name);

    public GatewayTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        ActiveSessions = meter.CreateUpDownCounter<long>("tutor.gateway.sessions.active", description: "Devices connected to this gateway.");
        UtterancesAnnounced = meter.CreateCounter<long>("tutor.gateway.utterances", description: "Utterances stored and announced to the workers.");
        UtteranceSeconds = meter.CreateHistogram<double>("tutor.gateway.utterance.duration", "s", "Length of the announced utterances.");
        RepliesDelivered = meter.CreateCounter<long>("tutor.gateway.reply_parts", description: "Reply audio parts sent to devices.");
        RepliesMissing = meter.CreateCounter<long>("tutor.gateway.reply_parts.missing", description: "Reply parts whose audio had expired before delivery.");
        DeviceErrors = meter.CreateCounter<long>("tutor.gateway.device.errors", description: "Error frames sent to devices, by code.");
        FirstAudio = meter.CreateHistogram<double>("tutor.gateway.turn.first_audio", "s",
            "From the end of the child's utterance to the first audio of the reply sent to the device: what the child waits.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8] });
    }

    public UpDownCounter<long> ActiveSessions { get; }
    public Counter<long> UtterancesAnnounced { get; }
    public Histogram<double> UtteranceSeconds { get; }
    public Counter<long> RepliesDelivered { get; }
    public Counter<long> RepliesMissing { get; }
    public Counter<long> DeviceErrors { get; }
    public Histogram<double> FirstAudio { get; }
}
