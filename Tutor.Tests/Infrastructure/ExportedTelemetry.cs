using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;

namespace Tutor.Tests.Infrastructure;

/// <summary>
/// Everything a service hands its OpenTelemetry exporters — each span and each log record, flattened to text with all
/// its names, tags, events, attributes, scopes and exceptions — so a test can read what the dashboard would show.
/// </summary>
public sealed class ExportedTelemetry
{
    private readonly ConcurrentQueue<string> _spans = new();
    private readonly ConcurrentQueue<string> _logs = new();
    private readonly ConcurrentQueue<Activity> _roots = new();
    private readonly ConcurrentQueue<Activity> _activities = new();

    /// <summary>Every exported span as the exporter got it, to follow a trace by its ids.</summary>
    public IReadOnlyCollection<Activity> Activities => _activities;

    public IReadOnlyCollection<string> Spans => _spans;

    /// <summary>The exported spans that start a trace of their own (no parent): what the dashboard lists as traces.</summary>
    public IReadOnlyCollection<Activity> Roots => _roots;
    public IReadOnlyCollection<string> Logs => _logs;
    public IEnumerable<string> All => _spans.Concat(_logs);

    /// <summary>Adds this capture beside the service's own exporters.</summary>
    public void AddTo(IServiceCollection services)
    {
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new SpanExporter(_spans, _roots, _activities))));
        services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddProcessor(new SimpleLogRecordExportProcessor(new LogExporter(_logs))));
    }

    private sealed class SpanExporter(ConcurrentQueue<string> into, ConcurrentQueue<Activity> roots, ConcurrentQueue<Activity> activities)
        : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var span in batch)
            {
                activities.Enqueue(span);
                if (span.ParentSpanId == default) roots.Enqueue(span);
                var text = new StringBuilder($"{span.Source.Name} {span.OperationName} {span.DisplayName} {span.Status} {span.StatusDescription}");
                foreach (var (key, value) in span.TagObjects) text.Append($" {key}={value}");
                foreach (var item in span.Baggage) text.Append($" {item.Key}={item.Value}");
                foreach (var activityEvent in span.Events)
                {
                    text.Append($" event {activityEvent.Name}");
                    foreach (var (key, value) in activityEvent.Tags) text.Append($" {key}={value}");
                }
                into.Enqueue(text.ToString());
            }
            return ExportResult.Success;
        }
    }

    private sealed class LogExporter(ConcurrentQueue<string> into) : BaseExporter<LogRecord>
    {
        public override ExportResult Export(in Batch<LogRecord> batch)
        {
            foreach (var record in batch)
            {
                var text = new StringBuilder($"{record.LogLevel} {record.CategoryName} {record.EventId} {record.FormattedMessage} {record.Body}");
                foreach (var (key, value) in record.Attributes ?? []) text.Append($" {key}={value}");
                record.ForEachScope((scope, builder) =>
                {
                    foreach (var (key, value) in scope) builder.Append($" scope {key}={value}");
                }, text);
                if (record.Exception is not null) text.Append($" exception {record.Exception}");
                into.Enqueue(text.ToString());
            }
            return ExportResult.Success;
        }
    }
}
