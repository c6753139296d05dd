using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tutor.Workers.Diagnostics;

/// <summary>The workers' traces and metrics, shown on the Aspire dashboard.</summary>
public sealed class WorkerTelemetry
{
    public const string Name = "Tutor.Workers";

    public static readonly ActivitySource ActivitySource = new(Name);

    public WorkerTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        Turns = meter.CreateCounter<long>("tutor.worker.turns", description: "Turns taken by this worker, by outcome.");
        TurnDuration = meter.CreateHistogram<double>("tutor.worker.turn.duration", "s", "From claim to the last reply part published.");
        StageDuration = meter.CreateHistogram<double>("tutor.worker.stage.duration", "s", "Time spent in each pipeline stage (stt, reply, tts, convert).");
        ClaimsLost = meter.CreateCounter<long>("tutor.worker.claims_lost", description: "Announced utterances another worker took first.");
        InFlight = meter.CreateUpDownCounter<long>("tutor.worker.turns.in_flight", description: "Turns this worker is running now.");
    }

    public Counter<long> Turns { get; }
    public Histogram<double> TurnDuration { get; }
    public Histogram<double> StageDuration { get; }
    public Counter<long> ClaimsLost { get; }
    public UpDownCounter<long> InFlight { get; }

    /// <summary>Times one stage of the pipeline as a child activity and a histogram sample.</summary>
    public async Task<T> MeasureAsync<T>(string stage, Func<Task<T>> work)
    {
        using var activity = ActivitySource.StartActivity(stage);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await work();
        }
        finally
        {
            StageDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("stage", stage));
        }
    }
}
