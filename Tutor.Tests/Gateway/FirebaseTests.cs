using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Tutor.Device;
using Tutor.Gateway.Families;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>
/// A gateway configured for a Firebase project: profiles read from Firestore's REST API with a service account's token,
/// parents signed in with Firebase ID tokens — all against the in-test stand-in of Google's endpoints.
/// </summary>
public sealed class FirebaseTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly FirebaseStandIn _firebase = new();
    private readonly string _keys = Directory.CreateTempSubdirectory("tutor-firebase-").FullName;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        await _firebase.InitializeAsync();
        _gateway = new GatewayHost(_redis, new Dictionary<string, string>
        {
            ["Firebase:ProjectId"] = FirebaseStandIn.ProjectId,
            ["Firebase:CredentialsPath"] = _firebase.WriteServiceAccountKey(_keys),
            ["Firebase:FirestoreEndpoint"] = new Uri(_firebase.Address, "/v1/").ToString(),
            ["Firebase:MetadataAddress"] = _firebase.MetadataAddress,
            ["Firebase:AttemptTimeout"] = "00:00:01",
            ["Firebase:TotalTimeout"] = "00:00:02.500", // generous enough for a loaded CI machine, under the slow test's 4 s
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _firebase.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }

    [Fact]
    public async Task A_parent_adds_edits_and_deletes_a_child_in_firestore()
    {
        using var parent = Client(_firebase.IdToken("fs-page-parent"));

        var added = await parent.PostAsJsonAsync("/api/me/children", new { name = "Noa", age = 5, native_language = "en", target_language = "es", level = "beginner" });
        var userId = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user_id").GetString()!;
        var stored = _firebase.Document(userId)!.DeepClone();
        var edited = await parent.PutAsJsonAsync($"/api/children/{userId}", new { name = "Noa B.", age = 6, native_language = "en", target_language = "es", level = "beginner" });
        var afterEdit = _firebase.Document(userId)!;
        var deleted = await parent.DeleteAsync($"/api/children/{userId}");

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("Noa", stored["fields"]!["name"]!["stringValue"]!.GetValue<string>());
        Assert.Equal("fs-page-parent", stored["fields"]!["parents"]!["arrayValue"]!["values"]![0]!["stringValue"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(("Noa B.", "6"), (afterEdit["fields"]!["name"]!["stringValue"]!.GetValue<string>(), afterEdit["fields"]!["age"]!["integerValue"]!.GetValue<string>()));
        Assert.Equal("fs-page-parent", afterEdit["fields"]!["parents"]!["arrayValue"]!["values"]![0]!["stringValue"]!.GetValue<string>()); // untouched by the edit
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Null(_firebase.Document(userId));
    }

    [Fact]
    public async Task A_device_pairs_with_a_child_in_firestore()
    {
        PutChild("fs-pairing", "fs-pairing-parent");
        using var parent = Client(_firebase.IdToken("fs-pairing-parent"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var code = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var pairing = DevicePairing.PairAsync(_gateway.BaseAddress, DeviceProfile.Pcm16, c => { code.TrySetResult(c); return Task.CompletedTask; },
            _ => Task.CompletedTask, timeout.Token);
        var claimed = await parent.PostAsJsonAsync("/api/pairing", new { code = await code.Task.WaitAsync(timeout.Token), user_id = "fs-pairing", name = "Kitchen" });
        var device = await pairing;

        Assert.Equal(HttpStatusCode.Created, claimed.StatusCode);
        var secrets = _firebase.Document("fs-pairing")!["fields"]!["deviceSecrets"]!["arrayValue"]!["values"]!.AsArray();
        Assert.Contains(secrets, s => s!["mapValue"]!["fields"]!["name"]?["stringValue"]?.GetValue<string>() == "Kitchen");
        Assert.Equal(101, (await RawUpgrade.RequestAsync(_gateway.BaseAddress, "/ws/fs-pairing", $"Bearer {device.Token}")).Status);
    }

    [Fact]
    public async Task Without_a_metadata_address_the_token_keys_come_from_googles_document_for_the_project()
    {
        await using var gateway = new GatewayHost(_redis, new Dictionary<string, string>
        {
            ["Firebase:ProjectId"] = FirebaseStandIn.ProjectId,
            ["Firebase:CredentialsPath"] = _firebase.WriteServiceAccountKey(_keys),
            ["Firebase:FirestoreEndpoint"] = new Uri(_firebase.Address, "/v1/").ToString(),
        });

        var jwt = gateway.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);

        Assert.Equal($"https://securetoken.google.com/{FirebaseStandIn.ProjectId}/.well-known/openid-configuration", jwt.MetadataAddress);
    }

    [Fact]
    public void Outside_development_the_token_keys_are_only_fetched_over_https()
    {
        var error = Assert.ThrowsAny<Exception>(() => new GatewayHost(_redis, new Dictionary<string, string>
        {
            ["environment"] = "Production",
            ["Firebase:ProjectId"] = FirebaseStandIn.ProjectId,
            ["Firebase:CredentialsPath"] = _firebase.WriteServiceAccountKey(_keys),
            ["Firebase:MetadataAddress"] = _firebase.MetadataAddress,
        }));

        Assert.Contains("Firebase:MetadataAddress must be https", error.ToString());
    }

    [Fact]
    public async Task A_device_is_checked_against_its_firestore_profile_read_with_the_service_accounts_token_and_then_cached()
    {
        PutChild("fs-child", "fs-parent");

        Assert.Equal(101, (await UpgradeAsync("fs-child")).Status);
        Assert.Equal(101, (await UpgradeAsync("fs-child")).Status);

        var reads = Reads("fs-child");
        Assert.Single(reads); // the second connection came from the Redis cache
        Assert.Equal($"Bearer {FirebaseStandIn.AccessToken}", reads[0].Authorization);
        Assert.True(_firebase.TokenRequests >= 1, "the service account signed in at its token endpoint");
        Assert.Equal(403, (await UpgradeAsync("fs-child", "fs-child-device.wrong")).Status);
    }

    [Fact]
    public async Task Concurrent_first_connections_of_one_child_make_one_firestore_call()
    {
        PutChild("fs-popular", "fs-parent");
        _firebase.Delays["fs-popular"] = TimeSpan.FromMilliseconds(300);

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => UpgradeAsync("fs-popular")));

        Assert.All(answers, a => Assert.Equal(101, a.Status));
        Assert.Single(Reads("fs-popular"));
    }

    [Fact]
    public async Task A_missing_document_is_refused_like_a_wrong_secret_and_not_asked_for_again_at_once()
    {
        PutChild("fs-known", "fs-parent");
        var unknown = await UpgradeAsync("fs-ghost", TestFamilies.TokenFor("fs-known"));
        var wrong = await UpgradeAsync("fs-known", TestFamilies.TokenFor("fs-ghost"));
        await UpgradeAsync("fs-ghost", TestFamilies.TokenFor("fs-known"));

        Assert.Equal(403, unknown.Status);
        Assert.Equal(RawUpgrade.WithoutTraceId(wrong), RawUpgrade.WithoutTraceId(unknown));
        Assert.Single(Reads("fs-ghost"));
    }

    [Fact]
    public async Task A_failing_firestore_is_retried_and_one_that_stays_down_or_slow_gets_the_device_a_503()
    {
        PutChild("fs-flaky", "fs-parent");
        PutChild("fs-down", "fs-parent");
        PutChild("fs-slow", "fs-parent");
        _firebase.Failures["fs-flaky"] = 1;
        _firebase.Failures["fs-down"] = 100;
        _firebase.Delays["fs-slow"] = TimeSpan.FromSeconds(5);

        Assert.Equal(101, (await UpgradeAsync("fs-flaky")).Status);
        Assert.Equal(2, Reads("fs-flaky").Count);
        Assert.Equal(503, (await UpgradeAsync("fs-down")).Status);
        var clock = Stopwatch.StartNew();
        Assert.Equal(503, (await UpgradeAsync("fs-slow")).Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"a slow Firestore is given up on ({clock.Elapsed.TotalSeconds:0.0} s)");
    }

    [Fact]
    public async Task A_firestore_that_stays_down_is_a_503_problem_on_every_parents_endpoint_history_included()
    {
        PutChild("fs-away", "fs-parent");
        _firebase.Failures["fs-away"] = 1000;
        using var parent = Client(_firebase.IdToken("fs-parent"));

        foreach (var path in new[] { "history", "facts", "devices", "progress", "lessons" })
        {
            var response = await parent.GetAsync($"/api/children/fs-away/{path}");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("family service is temporarily unavailable", await response.Content.ReadAsStringAsync());
            Assert.NotNull(response.Headers.RetryAfter);
        }
    }

    [Fact]
    public async Task A_parent_with_a_firebase_id_token_issues_a_device_secret_that_is_written_to_firestore()
    {
        PutChild("fs-new-device", "fs-parent");
        using var parent = Client(_firebase.IdToken("fs-parent"));

        var response = await parent.PostAsync("/api/children/fs-new-device/devices", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var secrets = _firebase.Document("fs-new-device")!["fields"]!["deviceSecrets"]!["arrayValue"]!["values"]!.AsArray();
        Assert.Equal(2, secrets.Count);
        Assert.Contains(_firebase.DocumentRequests, r => r.Method == "PATCH" && r.UserId == "fs-new-device");
        await using (await DeviceClient.ConnectAsync(_gateway.BaseAddress, "fs-new-device", token, DeviceProfile.Pcm16, CancellationToken.None)) { }
    }

    [Fact]
    public async Task Two_parents_issuing_devices_at_the_same_moment_both_keep_their_device()
    {
        _firebase.PutChild("fs-shared", "Shared", 6, ["fs-mum", "fs-dad"], [("fs-shared-device", DeviceTokens.Hash("secret-of-fs-shared"))]);
        _firebase.Delays["fs-shared"] = TimeSpan.FromMilliseconds(150); // both read the document before either writes
        using var mum = Client(_firebase.IdToken("fs-mum"));
        using var dad = Client(_firebase.IdToken("fs-dad"));

        var issued = await Task.WhenAll(mum.PostAsync("/api/children/fs-shared/devices", null), dad.PostAsync("/api/children/fs-shared/devices", null));

        Assert.All(issued, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var secrets = _firebase.Document("fs-shared")!["fields"]!["deviceSecrets"]!["arrayValue"]!["values"]!.AsArray();
        Assert.Equal(3, secrets.Count); // the first device and both new ones: no write lost
        foreach (var response in issued)
        {
            var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
            Assert.Equal(101, (await UpgradeAsync("fs-shared", token)).Status);
        }
    }

    public static TheoryData<string> RefusedTokens => ["expired", "no_expiry", "wrong_audience", "wrong_issuer", "unsigned", "other_key", "garbage"];

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task Only_a_valid_firebase_id_token_signs_a_parent_in(string kind)
    {
        PutChild("fs-jwt", "fs-jwt-parent");
        using var otherKey = RSA.Create(2048);
        var token = kind switch
        {
            "expired" => _firebase.IdToken("fs-jwt-parent", expires: DateTime.UtcNow.AddMinutes(-10)),
            "no_expiry" => _firebase.IdToken("fs-jwt-parent", withoutExpiry: true),
            "wrong_audience" => _firebase.IdToken("fs-jwt-parent", audience: "another-project"),
            "wrong_issuer" => _firebase.IdToken("fs-jwt-parent", issuer: "https://securetoken.google.com/another-project"),
            "unsigned" => _firebase.IdToken("fs-jwt-parent", unsigned: true),
            "other_key" => _firebase.IdToken("fs-jwt-parent", key: new RsaSecurityKey(otherKey) { KeyId = "stand-in-1" }),
            _ => "not.a.token",
        };
        using var valid = Client(_firebase.IdToken("fs-jwt-parent"));
        using var refused = Client(token);

        Assert.Equal(HttpStatusCode.OK, (await valid.GetAsync("/api/children/fs-jwt/devices")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await refused.GetAsync("/api/children/fs-jwt/devices")).StatusCode);
    }

    [Fact]
    public async Task The_local_sign_in_is_off_when_firebase_is_configured()
    {
        using var http = new HttpClient { BaseAddress = _gateway.BaseAddress };

        var response = await http.PostAsJsonAsync("/api/auth/local", new { parent_id = "demo-parent", passcode = "tutor-demo" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Firebase", await response.Content.ReadAsStringAsync());
        var config = await http.GetFromJsonAsync<JsonElement>("/api/auth/config"); // what the page signs in with instead
        Assert.Equal(("firebase", FirebaseStandIn.ProjectId), (config.GetProperty("mode").GetString(), config.GetProperty("project_id").GetString()));
    }

    [Fact]
    public async Task The_firestore_emulator_is_used_with_the_owner_token()
    {
        await using var emulator = new FirebaseStandIn { ExpectedAuthorization = "Bearer owner" };
        await emulator.InitializeAsync();
        emulator.PutChild("emu-child", "Emu", 6, ["emu-parent"], [("emu-child-device", DeviceTokens.Hash("secret-of-emu-child"))]);
        await using var gateway = new GatewayHost(_redis, new Dictionary<string, string>
        {
            ["Firebase:ProjectId"] = FirebaseStandIn.ProjectId,
            ["FIRESTORE_EMULATOR_HOST"] = emulator.EmulatorHost,
            ["Firebase:MetadataAddress"] = emulator.MetadataAddress,
        });

        Assert.Equal(101, (await RawUpgrade.RequestAsync(gateway.BaseAddress, "/ws/emu-child", $"Bearer {TestFamilies.TokenFor("emu-child")}")).Status);
        Assert.Equal("Bearer owner", Assert.Single(emulator.DocumentRequests).Authorization);
    }

    [Fact]
    public void A_half_configured_firebase_stops_the_gateway_with_a_message_that_says_what_is_missing()
    {
        var error = Assert.ThrowsAny<Exception>(() => new GatewayHost(_redis, new Dictionary<string, string>
        {
            ["Firebase:ProjectId"] = FirebaseStandIn.ProjectId,
        }));

        Assert.Contains("no credentials", error.ToString());
        Assert.Contains("Firebase:CredentialsPath", error.ToString());
    }

    private void PutChild(string userId, string parentId) =>
        _firebase.PutChild(userId, $"Child {userId}", 7, [parentId], [($"{userId}-device", DeviceTokens.Hash($"secret-of-{userId}"))]);

    private Task<(int Status, string Body)> UpgradeAsync(string userId, string? token = null) =>
        RawUpgrade.RequestAsync(_gateway.BaseAddress, $"/ws/{userId}", $"Bearer {token ?? TestFamilies.TokenFor(userId)}");

    private List<(string Method, string UserId, string? Authorization)> Reads(string userId) =>
        _firebase.DocumentRequests.Where(r => r.UserId == userId && r.Method == "GET").ToList();

    private HttpClient Client(string bearer)
    {
        var http = new HttpClient { BaseAddress = _gateway.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http;
    }
}
