using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>
/// Every route under <c>/api/children/{userId}</c>, read from the gateway's own endpoint table, refuses a parent of
/// another family — a route added later is covered without touching this test.
/// </summary>
public sealed class ChildRoutesTests : GatewayTestBed
{
    [Fact]
    public async Task Every_child_route_refuses_another_family_and_lets_the_childs_parent_read()
    {
        Gateway.Families.Child("guarded-kid");
        Gateway.Families.Child("stranger-kid");
        using var stranger = await Gateway.ParentClientAsync(TestFamilies.ParentOf("stranger-kid"));
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("guarded-kid"));

        var routes = Gateway.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/children/{userId}", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Path: PathOf(e))))
            .ToList();

        // Devices (list, issue, rename, revoke), progress, history (read, delete), facts, lessons (list, choose), the child (edit, delete).
        Assert.True(routes.Count >= 12, $"only {routes.Count} child routes: {string.Join(", ", routes)}");
        foreach (var (method, path) in routes)
        {
            using var refused = await stranger.SendAsync(Request(method, path));
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered another family {(int)refused.StatusCode}");
        }
        foreach (var (_, path) in routes.Where(r => r.Method == "GET"))
        {
            using var allowed = await parent.SendAsync(Request("GET", path));
            Assert.True(allowed.StatusCode == HttpStatusCode.OK, $"GET {path} answered the child's parent {(int)allowed.StatusCode}");
        }
    }

    private static string PathOf(RouteEndpoint endpoint) =>
        endpoint.RoutePattern.RawText!.Replace("{userId}", "guarded-kid", StringComparison.Ordinal)
            .Replace("{deviceId}", "guarded-kid-device", StringComparison.Ordinal);

    private static HttpRequestMessage Request(string method, string path) =>
        new(new HttpMethod(method), path) { Content = method is "GET" or "DELETE" ? null : new StringContent("{}", Encoding.UTF8, "application/json") };
}
