namespace Tutor.Tests.Infrastructure;

/// <summary>What the gateway tests stand on: a Redis of their own and one gateway on it, with the class's settings.</summary>
public abstract class GatewayTestBed(IReadOnlyDictionary<string, string>? settings = null) : IAsyncLifetime
{
    protected RedisServer Redis { get; } = new();

    protected GatewayHost Gateway { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        Gateway = new GatewayHost(Redis, settings);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
