using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Tutor.Tests.Infrastructure;

/// <summary>
/// What the worker tests stand on: a Redis of their own, the OpenAI stand-in, and the worker hosts they start
/// (disposed at the end).
/// </summary>
public abstract class WorkerTestBed : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    protected RedisServer Redis { get; } = new();
    protected OpenAiStandIn OpenAi { get; } = new();
    protected List<WorkerHost> Workers { get; } = [];

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        await OpenAi.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in Workers) await worker.DisposeAsync();
        await OpenAi.DisposeAsync();
        await Redis.DisposeAsync();
    }

    /// <summary>Starts workers against the stand-in and waits until each listens for announcements.</summary>
    protected async Task StartWorkersAsync(int count, IReadOnlyDictionary<string, string>? settings = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        for (var i = 0; i < count; i++) Workers.Add(new WorkerHost(Redis, OpenAi, settings, services));
        await Redis.WaitForSubscribersAsync(Tutor.Contracts.Redis.Channels.AudioProcessing, Workers.Count);
    }

    /// <summary>Waits until every queued utterance is finished: none left in <c>audio:pending</c> to be taken again.</summary>
    protected Task TurnsFinishedAsync() => Eventually.HoldsAsync(
        async () => await Redis.Database.StreamLengthAsync(Tutor.Contracts.Redis.Channels.PendingUtterances) == 0, "the turn is over, not left to be taken again");

    /// <summary>Asserts <paramref name="logs"/> hold event <paramref name="eventId"/> naming <paramref name="naming"/> (a turn id, a key), once.</summary>
    protected static void AssertLoggedOnce(Microsoft.Extensions.Logging.Testing.FakeLogCollector logs, int eventId, string naming) =>
        Assert.Single(logs.GetSnapshot(), l => l.Id.Id == eventId && l.Message.Contains(naming, StringComparison.Ordinal));

    /// <summary>The turns <paramref name="workers"/> count (<c>tutor.worker.turns</c> and their durations), from now on.</summary>
    protected static TurnOutcomes CountTurns(params WorkerHost[] workers) => new(workers);

    /// <summary>Each turn a worker counted, by its outcome tag, with its duration recorded under the same tag.</summary>
    protected sealed class TurnOutcomes(WorkerHost[] workers) : IDisposable
    {
        private readonly MetricCollector<long>[] _counts = [.. workers.Select(w => w.Measurements<long>("tutor.worker.turns"))];
        private readonly MetricCollector<double>[] _durations = [.. workers.Select(w => w.Measurements<double>("tutor.worker.turn.duration"))];

        /// <summary>The outcomes of the first <paramref name="turns"/> turns counted, in order, once that many are.</summary>
        public async Task<string[]> WaitForAsync(int turns)
        {
            await Eventually.HoldsAsync(() => Task.FromResult(Counted().Count >= turns && Timed().Count >= turns), $"{turns} turn(s) are counted");
            var counted = Counted();
            Assert.All(counted, c => Assert.Equal(1, c.Value));
            Assert.Equal(counted.Select(c => (string)c.Tags["outcome"]!).Order(), Timed().Select(d => (string)d.Tags["outcome"]!).Order());
            return [.. counted.Select(c => (string)c.Tags["outcome"]!)];
        }

        private List<CollectedMeasurement<long>> Counted() => [.. _counts.SelectMany(c => c.GetMeasurementSnapshot())];

        private List<CollectedMeasurement<double>> Timed() => [.. _durations.SelectMany(d => d.GetMeasurementSnapshot())];

        public void Dispose()
        {
            foreach (var collector in _counts) collector.Dispose();
            foreach (var collector in _durations) collector.Dispose();
        }
    }
}
