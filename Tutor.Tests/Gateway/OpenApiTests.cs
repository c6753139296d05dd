using System.Text.Json;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>The gateway describes its HTTP APIs in Development, for the people who build on them; not in production.</summary>
public sealed class OpenApiTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task In_development_the_parents_and_debug_apis_are_described_and_in_production_not_served()
    {
        await using (var development = new GatewayHost(_redis))
        {
            using var http = new HttpClient { BaseAddress = development.BaseAddress };
            using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
            var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

            Assert.Contains("/api/me/children", paths);
            Assert.Contains("/api/children/{userId}/history", paths);
            Assert.Contains("/api/children/{userId}/devices/{deviceId}", paths);
            Assert.Contains("/api/pairing", paths);
            Assert.Contains("/api/debug/sessions", paths);
        }

        await using var production = new GatewayHost(_redis, new Dictionary<string, string> { ["environment"] = "Production" });
        using var client = new HttpClient { BaseAddress = production.BaseAddress };
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("/openapi/v1.json")).StatusCode);
    }
}
