using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using StackExchange.Redis;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.EndToEnd;

/// <summary>
/// The whole AppHost as a developer starts it — a local redis-server (no container runtime here), the gateway and two
/// worker replicas as separate processes — with OpenAI pointed at the stand-in.
/// </summary>
public sealed class TutorAppFixture : IAsyncLifetime
{
    public const int WorkerReplicas = 2;

    public OpenAiStandIn OpenAi { get; } = new();

    public DistributedApplication App { get; private set; } = null!;

    public Uri Gateway { get; private set; } = null!;

    public IConnectionMultiplexer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await OpenAi.InitializeAsync();
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Tutor_AppHost>(
        [
            "--Redis:Mode=Local",
            $"--Workers:Replicas={WorkerReplicas}",
            $"--Parameters:openai-api-key={OpenAiStandIn.ApiKey}",
            $"--OpenAI:Endpoint={OpenAi.Endpoint}",
            "--DcpPublisher:RandomizePorts=true",
        ], startup.Token);

        // Nothing listens for telemetry in a test; without this each service spends seconds retrying its export on shutdown.
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
            {
                context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
            }));
        }

        App = await builder.BuildAsync(startup.Token);
        await App.StartAsync(startup.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("gateway", startup.Token);
        Gateway = App.GetEndpoint("gateway", "http");
        Redis = await ConnectionMultiplexer.ConnectAsync((await App.GetConnectionStringAsync("redis", startup.Token))!);
        await WaitForWorkersAsync(startup.Token);
    }

    public async Task DisposeAsync()
    {
        if (Redis is not null) await Redis.DisposeAsync();
        if (App is not null) await App.DisposeAsync();
        await OpenAi.DisposeAsync();
    }

    /// <summary>Every worker replica is subscribed to the announcement channel.</summary>
    private async Task WaitForWorkersAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = (RedisResult[])(await Redis.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", Channels.AudioProcessing))!;
            if ((long)result[1] >= WorkerReplicas) return;
            await Task.Delay(100, cancellationToken);
        }
    }
}
