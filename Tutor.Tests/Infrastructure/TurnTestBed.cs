using Microsoft.Extensions.DependencyInjection;
using Tutor.Contracts.Redis;

namespace Tutor.Tests.Infrastructure;

/// <summary>
/// What tests of whole turns stand on: a Redis of their own, the OpenAI stand-in, one gateway and one worker in-process
/// (with the class's gateway settings, and optional changes to each one's services).
/// </summary>
public abstract class TurnTestBed(IReadOnlyDictionary<string, string>? gatewaySettings = null,
    Action<IServiceCollection>? gatewayServices = null, Action<IServiceCollection>? workerServices = null,
    IReadOnlyDictionary<string, string>? workerSettings = null) : IAsyncLifetime
{
    protected RedisServer Redis { get; } = new();
    protected OpenAiStandIn OpenAi { get; } = new();
    protected GatewayHost Gateway { get; private set; } = null!;
    protected WorkerHost Worker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        await OpenAi.InitializeAsync();
        Gateway = new GatewayHost(Redis, gatewaySettings, services: gatewayServices);
        Worker = new WorkerHost(Redis, OpenAi, workerSettings, services: workerServices);
        await Redis.WaitForSubscribersAsync(Channels.AudioProcessing, 1);
    }

    public async Task DisposeAsync()
    {
        await Worker.DisposeAsync();
        await Gateway.DisposeAsync();
        await OpenAi.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
