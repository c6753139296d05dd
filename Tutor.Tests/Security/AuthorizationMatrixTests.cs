using System.Net.Http.Headers;
using System.Reflection;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tutor.Gateway.Families;
using Tutor.Realtime.Transcripts;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Security;

/// <summary>
/// Who may call what, for every HTTP route the gateway maps — read from its own endpoint table — and every method of the
/// transcript hub, so a route or method without a row fails this test by name. Each row says what each caller gets:
/// nobody, an expired parent's token, a parent of another family, the child's own parent, a developer (admin), the
/// child's own device secret and a device secret a parent revoked (both presented as a bearer token).
/// </summary>
public sealed class AuthorizationMatrixTests(AuthorizationMatrixTests.SharedGateway shared) : IClassFixture<AuthorizationMatrixTests.SharedGateway>
{
    private const string Child = "matrix-child";

    private GatewayHost Gateway => shared.Gateway;

    // A hub method's "status": 401 when the caller cannot connect, 403 when the call is refused (HubException), 200 when it runs.
    // The device sockets are asked for a real upgrade (101 when accepted). The child's routes run each row on a child of
    // its own (deleting or revoking must not change the next row), so "own parent" may write.
    //                                                   nobody expired other  own  admin device revoked
    private static readonly Dictionary<string, int[]> Matrix = new()
    {
        ["GET /api/auth/config"] = [200, 200, 200, 200, 200, 200, 200],
        ["POST /api/auth/local"] = [401, 401, 401, 401, 401, 401, 401], // a sign-in: an empty body is a wrong passcode, whoever asks
        ["POST /api/auth/sign-out"] = [401, 401, 204, 204, 204, 401, 401],
        ["GET /api/me"] = [401, 401, 200, 200, 200, 401, 401],
        ["GET /api/me/children"] = [401, 401, 200, 200, 200, 401, 401],
        ["POST /api/me/children"] = [401, 401, 400, 400, 400, 401, 401], // signed in: the empty child is refused as invalid
        ["POST /api/pairing"] = [401, 401, 403, 403, 403, 401, 401],
        ["GET /api/children/{userId}/devices"] = [401, 401, 403, 200, 403, 401, 401],
        ["POST /api/children/{userId}/devices"] = [401, 401, 403, 201, 403, 401, 401],
        ["DELETE /api/children/{userId}/devices/{deviceId}"] = [401, 401, 403, 204, 403, 401, 401],
        ["PATCH /api/children/{userId}/devices/{deviceId}"] = [401, 401, 403, 400, 403, 401, 401],
        ["GET /api/children/{userId}/progress"] = [401, 401, 403, 200, 403, 401, 401],
        ["GET /api/children/{userId}/history"] = [401, 401, 403, 200, 403, 401, 401],
        ["DELETE /api/children/{userId}/history"] = [401, 401, 403, 204, 403, 401, 401],
        ["GET /api/children/{userId}/facts"] = [401, 401, 403, 200, 403, 401, 401],
        ["GET /api/children/{userId}/lessons"] = [401, 401, 403, 200, 403, 401, 401],
        ["PUT /api/children/{userId}/lessons/next"] = [401, 401, 403, 404, 403, 401, 401], // no such lesson in an empty catalog
        ["PUT /api/children/{userId}"] = [401, 401, 403, 400, 403, 401, 401],
        ["DELETE /api/children/{userId}"] = [401, 401, 403, 204, 403, 401, 401],
        ["GET /api/debug/sessions"] = [401, 401, 403, 403, 200, 401, 401],
        ["GET /api/debug/turns"] = [401, 401, 403, 403, 200, 401, 401],
        // The child's socket takes the child's own unrevoked device secret only; a parent's token is no device secret.
        ["GET /ws/{userId?}"] = [401, 403, 403, 403, 403, 101, 403],
        ["GET /ws/pair"] = [101, 101, 101, 101, 101, 101, 101], // a device without a secret waits for a code here
        // xiaozhi's OTA endpoint is the device's own (XiaozhiCompatibilityTests): without Device-Id and Client-Id, refused alike.
        ["POST /xiaozhi/ota"] = [400, 400, 400, 400, 400, 400, 400],
        ["GET /xiaozhi/ota"] = [200, 200, 200, 200, 200, 200, 200], // says what the endpoint is, nothing else
        ["POST /xiaozhi/ota/activate"] = [400, 400, 400, 400, 400, 400, 400],
        // The hub: only signed-in parents connect, and follow only their own children.
        // Routes mapped for any method are called with GET, the negotiation with POST as SignalR clients send it.
        ["ANY /hubs/transcript/negotiate"] = [401, 401, 200, 200, 200, 401, 401],
        ["HUB Follow"] = [401, 401, 403, 200, 403, 401, 401],
        ["HUB Unfollow"] = [401, 401, 200, 200, 200, 401, 401], // leaving a group one is not in changes nothing
        ["ANY /health"] = [200, 200, 200, 200, 200, 200, 200],
        ["ANY /alive"] = [200, 200, 200, 200, 200, 200, 200],
        ["GET /openapi/{documentName}.json"] = [200, 200, 200, 200, 200, 200, 200], // Development only; describes, holds no data
    };

    private static readonly string[] Callers =
        ["nobody", "an expired parent", "another family", "the child's parent", "a developer", "the child's device", "a revoked device"];

    /// <summary>Each row is its own test case, so a mutation run re-runs only the rows whose code a mutant touches.</summary>
    public static TheoryData<string> Routes => [.. Matrix.Keys];

    [Fact]
    public void Every_route_and_hub_method_has_a_row_and_every_row_a_route()
    {
        var routes = Gateway.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
            .Where(r => !r.Contains("/hubs/transcript", StringComparison.Ordinal) || r.EndsWith("/negotiate", StringComparison.Ordinal))
            .Concat(typeof(TranscriptHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType == typeof(TranscriptHub)).Select(m => $"HUB {m.Name}"))
            .Distinct().ToList();
        var missing = routes.Except(Matrix.Keys).ToList();
        Assert.True(missing.Count == 0, $"routes without a row in the authorization matrix: {string.Join(", ", missing)}");
        Assert.True(!Matrix.Keys.Except(routes).Any(), $"rows for routes that are gone: {string.Join(", ", Matrix.Keys.Except(routes))} (routes: {string.Join(", ", routes)})");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task The_route_answers_each_caller_as_its_row_says(string route)
    {
        var expected = Matrix[route];
        // Each row on a child of its own: deleting or revoking must not change another row.
        var child = $"{Child}-{Matrix.Keys.ToList().IndexOf(route)}";
        var (device, revoked) = Gateway.Families.ChildWithRevokedDevice(child);
        var mapped = route[..route.IndexOf(' ')];
        var path = route[(mapped.Length + 1)..].Replace("{userId?}", child, StringComparison.Ordinal).Replace("{userId}", child, StringComparison.Ordinal)
            .Replace("{deviceId}", $"{child}-device", StringComparison.Ordinal).Replace("{documentName}", "v1", StringComparison.Ordinal);
        var wrong = new List<string>();
        for (var caller = 0; caller < Callers.Length; caller++)
        {
            // Parents sign in afresh for each row: the sign-out row ends the token it is called with.
            var token = caller switch
            {
                1 => shared.Expired,
                2 => await Gateway.SignInAsync(TestFamilies.ParentOf(SharedGateway.Stranger)),
                3 => await Gateway.SignInAsync(TestFamilies.ParentOf(child)),
                4 => await Gateway.SignInAsync(shared.Developer),
                5 => device,
                6 => revoked,
                _ => null,
            };
            var status = mapped switch
            {
                "HUB" => await InvokeHubAsync(path, child, token),
                "GET" when path.StartsWith("/ws/", StringComparison.Ordinal) =>
                    (await RawUpgrade.RequestAsync(Gateway.BaseAddress, path, token is null ? null : $"Bearer {token}")).Status,
                _ => await RequestAsync(mapped, path, token),
            };
            if (status != expected[caller]) wrong.Add($"{route} for {Callers[caller]}: {status}, not {expected[caller]}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private async Task<int> RequestAsync(string mapped, string path, string? token)
    {
        var method = mapped != "ANY" ? mapped : path.EndsWith("/negotiate", StringComparison.Ordinal) ? "POST" : "GET";
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method is "GET" or "DELETE" ? null : new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>Calls a hub method on the row's child as the page does: 401 if the caller cannot connect, 403 if refused, else 200.</summary>
    private async Task<int> InvokeHubAsync(string method, string child, string? token)
    {
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(Gateway.BaseAddress, TranscriptHub.Path), options => options.AccessTokenProvider = () => Task.FromResult(token))
            .Build();
        try
        {
            await hub.StartAsync();
        }
        catch (HttpRequestException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            return 401;
        }
        try
        {
            await hub.InvokeAsync(method, child);
            return 200;
        }
        catch (HubException)
        {
            return 403;
        }
    }

    /// <summary>One Redis and one gateway for every row, with the callers that do not depend on the row.</summary>
    public sealed class SharedGateway : IAsyncLifetime
    {
        public const string Stranger = "matrix-stranger";
        private readonly RedisServer _redis = new();

        public GatewayHost Gateway { get; private set; } = null!;
        public string Developer { get; private set; } = null!;
        public string Expired { get; } = ExpiredToken(TestFamilies.ParentOf(Child));

        public async Task InitializeAsync()
        {
            await _redis.InitializeAsync();
            Gateway = new GatewayHost(_redis);
            Gateway.Families.Child(Stranger);
            Developer = Gateway.Families.Developer();
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await _redis.DisposeAsync();
        }
    }

    /// <summary>A parent's token as the gateway signs them, but one that expired an hour ago.</summary>
    private static string ExpiredToken(string parentId) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = LocalTokenIssuer.Issuer,
        Audience = LocalTokenIssuer.Audience,
        Subject = new ClaimsIdentity([new Claim("sub", parentId), new Claim("name", parentId)]),
        IssuedAt = DateTime.UtcNow.AddHours(-2),
        NotBefore = DateTime.UtcNow.AddHours(-2),
        Expires = DateTime.UtcNow.AddHours(-1),
        SigningCredentials = new SigningCredentials(
            new SymmetricSecurityKey(Encoding.UTF8.GetBytes(GatewayHost.TestSigningKey)) { KeyId = "tutor-local-2" }, SecurityAlgorithms.HmacSha256),
    });
}
