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
    protected async Task StartWorkersAsync(int count, IReadOnlyDictionary<string, string>? settings = null)
    {
        for (var i = 0; i < count; i++) Workers.Add(new WorkerHost(Redis, OpenAi, settings));
        await Redis.WaitForSubscribersAsync(Tutor.Contracts.Redis.Channels.AudioProcessing, Workers.Count);
    }
}
