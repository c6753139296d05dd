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
        StageDuration = meter.CreateHistogram<double>("tutor.worker.stage.duration", "s", "Time spent in each pipeline stage (stt, reply, tts).");
        LeasesLost = meter.CreateCounter<long>("tutor.worker.leases_lost", description: "Turns this worker left because another took them over.");
        InFlight = meter.CreateUpDownCounter<long>("tutor.worker.turns.in_flight", description: "Turns this worker is running now.");
        EngineErrors = meter.CreateCounter<long>("tutor.worker.engine.errors", description: "Failures of a speech or language engine, by stage and engine.");
        QueueWait = meter.CreateHistogram<double>("tutor.worker.queue.wait", "s", "How long an utterance waited in the queue before a worker took it.");
        meter.CreateObservableGauge("tutor.worker.queue.depth", () => QueueDepth, "{utterance}",
            "Utterances waiting in the queue for a worker (as this worker last saw it).");
    }

    public Counter<long> Turns { get; }
    public Histogram<double> TurnDuration { get; }
    public Histogram<double> StageDuration { get; }
    public Counter<long> LeasesLost { get; }
    public UpDownCounter<long> InFlight { get; }
    public Histogram<double> QueueWait { get; }
    public Counter<long> EngineErrors { get; }

    /// <summary>The queue's depth when this worker last had nothing to take.</summary>
    public long QueueDepth { get; set; }

    /// <summary>
    /// Times one stage of the pipeline as a child activity and a histogram sample (tagged <paramref name="stage"/>); the
    /// span is called <paramref name="span"/> when given and names the <paramref name="engine"/> that did the work.
    /// </summary>
    public async Task<T> MeasureAsync<T>(string stage, Func<Task<T>> work, string? span = null, string? engine = null)
    {
        using var activity = ActivitySource.StartActivity(span ?? stage);
        if (engine is not null) activity?.SetTag("tutor.engine", engine);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await work();
        }
        catch (Exception ex) when (ex is not OperationCanceledException && engine is not null)
        {
            EngineErrors.Add(1, new KeyValuePair<string, object?>("stage", stage), new KeyValuePair<string, object?>("engine", engine));
            throw;
        }
        finally
        {
            StageDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("stage", stage));
        }
    }
}
