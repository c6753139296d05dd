using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using Tutor.Device;
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

    /// <summary>Where the services' telemetry goes, as it would go to the dashboard.</summary>
    public OtlpSink Telemetry { get; } = new();

    public DistributedApplication App { get; private set; } = null!;

    public Uri Gateway { get; private set; } = null!;

    public IConnectionMultiplexer Redis { get; private set; } = null!;

    public TestFamilies Families { get; } = new();

    public Task<DeviceClient> ConnectDeviceAsync(string userId, DeviceProfile? profile = null, CancellationToken cancellationToken = default) =>
        DeviceClient.ConnectAsync(Gateway, userId, Families.Child(userId), profile ?? DeviceProfile.Pcm16, cancellationToken);

    /// <summary>Signs the parent of <paramref name="userId"/> in through the local sign-in and returns their token.</summary>
    public async Task<string> SignInParentOfAsync(string userId, CancellationToken cancellationToken)
    {
        Families.Child(userId);
        using var http = new HttpClient { BaseAddress = Gateway };
        var response = await http.PostAsJsonAsync("/api/auth/local",
            new { parent_id = TestFamilies.ParentOf(userId), passcode = TestFamilies.Passcode }, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("access_token").GetString()!;
    }

    public async Task InitializeAsync()
    {
        await OpenAi.InitializeAsync();
        await Telemetry.StartAsync();
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Tutor_AppHost>(
        [
            "--Redis:Mode=Local",
            $"--Workers:Replicas={WorkerReplicas}",
            $"--Parameters:openai-api-key={OpenAiStandIn.ApiKey}",
            $"--OpenAI:Endpoint={OpenAi.Endpoint}",
            "--DcpPublisher:RandomizePorts=true",
            $"--Families:Directory={Families.Directory}",
        ], startup.Token);

        // The services export to the test's receiver instead of the dashboard (off in tests), over OTLP/HTTP, promptly.
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
            {
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = Telemetry.Endpoint.ToString().TrimEnd('/');
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                context.EnvironmentVariables["OTEL_BSP_SCHEDULE_DELAY"] = "500";
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
        await Telemetry.DisposeAsync();
        Families.Dispose();
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

/// <summary>One AppHost for every class that needs the whole system: two at once would starve a 2-core machine.</summary>
[CollectionDefinition(Collection)]
public sealed class TutorApp : ICollectionFixture<TutorAppFixture>
{
    public const string Collection = "app";
}
