using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

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

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (_services is not null) builder.ConfigureServices(_services);
    }
}
