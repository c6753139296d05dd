using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Tutor.Tests.Infrastructure;

/// <summary>The real gateway on Kestrel, on a free loopback port, against the test's Redis.</summary>
public sealed class GatewayHost : WebApplicationFactory<Tutor.Gateway.Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;

    public GatewayHost(RedisServer redis, IReadOnlyDictionary<string, string>? settings = null)
    {
        _settings = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["ConnectionStrings:redis"] = redis.ConnectionString,
        };
        UseKestrel(0);
        StartServer();
    }

    public Uri BaseAddress => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }
}
