using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Tutor.Device;

namespace Tutor.Tests.Infrastructure;

/// <summary>The real gateway on Kestrel, on a free loopback port, against the test's Redis and a families directory of its own.</summary>
public sealed class GatewayHost : WebApplicationFactory<Tutor.Gateway.Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly bool _ownsFamilies;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="families">Shared with other gateways of the test (several gateways, one set of families); made here if null.</param>
    /// <param name="port">A fixed port, for a gateway that restarts where its clients expect it; 0 picks a free one.</param>
    /// <param name="services">Changes to the gateway's services (e.g. a telemetry capture).</param>
    public GatewayHost(RedisServer redis, IReadOnlyDictionary<string, string>? settings = null, TestFamilies? families = null, int port = 0,
        Action<IServiceCollection>? services = null)
    {
        _services = services;
        _ownsFamilies = families is null;
        Families = families ?? new TestFamilies();
        var all = new Dictionary<string, string>
        {
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Families:Directory"] = Families.Directory,
            // Shared by every gateway of a test, as the AppHost shares its generated key.
            ["Families:LocalSigningKey"] = TestSigningKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) all[key] = value;
        _settings = all;
        UseKestrel(port);
        StartServer();
    }

    public const string TestSigningKey = "test-signing-key-of-every-gateway-in-this-test-run";

    public TestFamilies Families { get; }

    public Uri BaseAddress => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Connects a device of <paramref name="userId"/> (made a child of the test families) with its secret.</summary>
    public Task<DeviceClient> ConnectDeviceAsync(string userId, DeviceProfile? profile = null, CancellationToken cancellationToken = default) =>
        DeviceClient.ConnectAsync(BaseAddress, userId, Families.Child(userId), profile ?? DeviceProfile.Pcm16, cancellationToken);

    /// <summary>Signs a parent in through the local sign-in and returns their token.</summary>
    public async Task<string> SignInAsync(string parentId, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        var response = await http.PostAsJsonAsync("/api/auth/local", new { parent_id = parentId, passcode = TestFamilies.Passcode }, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("access_token").GetString()!;
    }

    /// <summary>An HTTP client of this gateway carrying the signed-in parent's token.</summary>
    public async Task<HttpClient> ParentClientAsync(string parentId, CancellationToken cancellationToken = default)
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await SignInAsync(parentId, cancellationToken));
        return http;
    }

    /// <summary>What the gateway logged (beside its usual log providers), to assert on the log events themselves.</summary>
    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.AddFakeLogging());
        if (_services is not null) builder.ConfigureServices(_services);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsFamilies) Families.Dispose();
    }
}
