using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace Tutor.Tests.Infrastructure;

/// <summary>A real worker process's host, in-process, against the test's Redis and the OpenAI stand-in.</summary>
public sealed class WorkerHost : WebApplicationFactory<Tutor.Workers.Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly Action<IServiceCollection>? _services;

    public WorkerHost(RedisServer redis, OpenAiStandIn? openAi, IReadOnlyDictionary<string, string>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        _services = services;
        var all = new Dictionary<string, string> { ["ConnectionStrings:redis"] = redis.ConnectionString };
        if (openAi is not null)
        {
            all["OpenAI:Endpoint"] = openAi.Endpoint.ToString();
            all["OpenAI:ApiKey"] = OpenAiStandIn.ApiKey;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) all[key] = value;
        _settings = all;
        // Starting the host starts the utterance listener.
        _ = Services;
    }

    /// <summary>What the worker logged (beside its usual log providers), to assert on the log events themselves.</summary>
    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>Records what this worker measures on one of its instruments (<see cref="Tutor.Workers.Diagnostics.WorkerTelemetry"/>) from now on.</summary>
    public MetricCollector<T> Measurements<T>(string instrument) where T : struct =>
        new(Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Tutor.Workers.Diagnostics.WorkerTelemetry.Name, instrument);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.AddFakeLogging());
        if (_services is not null) builder.ConfigureServices(_services);
    }
}
