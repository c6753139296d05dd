using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tutor.Contracts.Redis;
using Tutor.Device;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>
/// Device secrets on the embedded default (the local families directory), behind the Redis profile cache. The throttle
/// counts per (address, account) and every test here comes from 127.0.0.1: only the throttling tests get a low limit.
/// </summary>
public sealed class DeviceSignInTests() : GatewayTestBed(new Dictionary<string, string> { ["Families:MaxFailedSignIns"] = "1000" })
{
    [Fact]
    public async Task A_device_without_a_secret_is_refused_with_401_before_the_upgrade()
    {
        Gateway.Families.Child("child-a");

        var (status, body) = await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/child-a");

        Assert.Equal(401, status);
        Assert.Contains("device secret is required", body);
        Assert.Empty(await Redis.KeysAsync("session:*"));
    }

    [Fact]
    public async Task A_wrong_secret_an_unknown_user_and_a_malformed_token_get_the_same_403()
    {
        var token = Gateway.Families.Child("child-b");
        var wrongSecret = await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/child-b", $"Bearer {token}x");
        var unknownUser = await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/nobody-here", $"Bearer {token}");
        var malformed = await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/child-b", "Bearer not-a-token");

        Assert.Equal(403, wrongSecret.Status);
        Assert.Equal(RawUpgrade.WithoutTraceId(wrongSecret), RawUpgrade.WithoutTraceId(unknownUser));
        Assert.Equal(RawUpgrade.WithoutTraceId(wrongSecret), RawUpgrade.WithoutTraceId(malformed));
        Assert.DoesNotContain("nobody-here", unknownUser.Body);
        Assert.Empty(await Redis.KeysAsync("session:*"));
    }

    [Fact]
    public async Task The_secret_may_come_as_a_query_parameter()
    {
        var token = Gateway.Families.Child("child-c");

        var (status, _) = await RawUpgrade.RequestAsync(Gateway.BaseAddress, $"/ws/child-c?token={Uri.EscapeDataString(token)}");

        Assert.Equal(101, status);
    }

    [Fact]
    public async Task The_secret_may_come_as_xiaozhi_browser_clients_send_it_and_nothing_else_counts_as_one()
    {
        var token = Gateway.Families.Child("child-x");

        var query = await RawUpgrade.RequestAsync(Gateway.BaseAddress, $"/ws/child-x?authorization={Uri.EscapeDataString("Bearer " + token)}&device-id=a0:b7:65:00:00:09");
        var wrong = await RawUpgrade.RequestAsync(Gateway.BaseAddress, $"/ws/child-x?authorization={Uri.EscapeDataString("Bearer " + token + "x")}");
        var empty = await RawUpgrade.RequestAsync(Gateway.BaseAddress, $"/ws/child-x?authorization={Uri.EscapeDataString("Bearer ")}");
        var basic = await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/child-x", "Basic dXNlcjpwYXNzd29yZA==");

        Assert.Equal(101, query.Status);
        Assert.Equal(403, wrong.Status);
        Assert.Equal(401, empty.Status); // "Bearer " and nothing: no secret was presented
        Assert.Equal(401, basic.Status); // only a bearer token is a device secret
    }

    [Fact]
    public async Task Repeated_failures_turn_a_guesser_away_but_never_a_device_with_its_right_secret()
    {
        await using var strict = await StrictGatewayAsync();
        var token = strict.Families.Child("child-d");
        var neighbour = strict.Families.Child("child-d2");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(403, (await RawUpgrade.RequestAsync(strict.BaseAddress, "/ws/child-d", $"Bearer {token}-guess-{i}")).Status);
        }

        var (status, body) = await RawUpgrade.RequestAsync(strict.BaseAddress, "/ws/child-d", $"Bearer {token}-guess-5");
        var rightSecret = await RawUpgrade.RequestAsync(strict.BaseAddress, "/ws/child-d", $"Bearer {token}");
        var otherChild = await RawUpgrade.RequestAsync(strict.BaseAddress, "/ws/child-d2", $"Bearer {neighbour}");
        var otherChildGuess = await RawUpgrade.RequestAsync(strict.BaseAddress, "/ws/child-d2", $"Bearer {neighbour}-guess");

        Assert.Equal(429, status);
        Assert.Contains("Too many", body);
        Assert.Equal(101, rightSecret.Status); // the same address and child: the secret itself is proof
        Assert.Equal(101, otherChild.Status); // a device behind the same NAT is not locked out
        Assert.Equal(403, otherChildGuess.Status); // failures are counted per child: another child's are not this one's
        var counter = Assert.Single(await Redis.KeysAsync("auth-failures:*:device:child-d"));
        Assert.InRange((await Redis.Database.KeyTimeToLiveAsync(counter))!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task The_profile_is_read_from_the_cache_after_the_first_connection()
    {
        var token = Gateway.Families.Child("child-e");
        await using (await Gateway.ConnectDeviceAsync("child-e")) { }
        Assert.True(await Redis.Database.KeyExistsAsync(RedisKeys.ChildProfile("child-e")));

        // The family file goes; the cached profile still lets the device in until it expires or is invalidated.
        File.Delete(Path.Combine(Gateway.Families.Directory, "child-e.json"));
        Assert.Equal(101, (await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/child-e", $"Bearer {token}")).Status);
        await Redis.Database.KeyDeleteAsync(RedisKeys.ChildProfile("child-e"));
        Assert.Equal(403, (await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/child-e", $"Bearer {token}")).Status);
    }

    [Fact]
    public async Task A_parent_issues_a_device_secret_that_works_and_revoking_it_locks_the_device_out_at_once()
    {
        Gateway.Families.Child("child-f");
        using var parent = await SignedInAsync(TestFamilies.ParentOf("child-f"));

        var issued = await (await parent.PostAsync("/api/children/child-f/devices", null)).Content.ReadFromJsonAsync<JsonElement>();
        var token = issued.GetProperty("token").GetString()!;
        var deviceId = issued.GetProperty("device_id").GetString()!;
        await using (await DeviceClient.ConnectAsync(Gateway.BaseAddress, "child-f", token, DeviceProfile.Pcm16, CancellationToken.None)) { }

        var stored = await File.ReadAllTextAsync(Path.Combine(Gateway.Families.Directory, "child-f.json"));
        Assert.Contains(deviceId, stored);
        Assert.DoesNotContain(token.Split('.')[1], stored); // only the hash is kept

        Assert.Equal(HttpStatusCode.NoContent, (await parent.DeleteAsync($"/api/children/child-f/devices/{deviceId}")).StatusCode);
        Assert.Equal(403, (await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/child-f", $"Bearer {token}")).Status);
        var listed = await parent.GetFromJsonAsync<JsonElement>("/api/children/child-f/devices");
        Assert.Contains(listed.EnumerateArray(), d => d.GetProperty("device_id").GetString() == deviceId && d.GetProperty("revoked").GetBoolean());
    }

    [Fact]
    public async Task Revoking_touches_only_the_named_device_of_that_child()
    {
        Gateway.Families.Child("child-j");
        Gateway.Families.Child("child-k", parentId: TestFamilies.ParentOf("child-j"));
        using var parent = await SignedInAsync(TestFamilies.ParentOf("child-j"));
        async Task<(string Id, string Token)> IssueAsync(string child)
        {
            var issued = await (await parent.PostAsync($"/api/children/{child}/devices", null)).Content.ReadFromJsonAsync<JsonElement>();
            return (issued.GetProperty("device_id").GetString()!, issued.GetProperty("token").GetString()!);
        }
        var revoked = await IssueAsync("child-j");
        var kept = await IssueAsync("child-j");
        var siblings = await IssueAsync("child-k");

        // Another child's device, even of the same parent, and a device that does not exist are not this child's to revoke.
        Assert.Equal(HttpStatusCode.NotFound, (await parent.DeleteAsync($"/api/children/child-j/devices/{siblings.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await parent.DeleteAsync("/api/children/child-j/devices/no-such-device")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await parent.DeleteAsync($"/api/children/child-j/devices/{revoked.Id}")).StatusCode);

        Assert.Equal(403, (await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/child-j", $"Bearer {revoked.Token}")).Status);
        Assert.Equal(101, (await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/child-j", $"Bearer {kept.Token}")).Status);
        Assert.Equal(101, (await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/child-k", $"Bearer {siblings.Token}")).Status);
    }

    [Fact]
    public async Task Only_a_childs_own_parent_manages_its_devices()
    {
        Gateway.Families.Child("child-g");
        Gateway.Families.Child("child-h");
        using var otherParent = await SignedInAsync(TestFamilies.ParentOf("child-h"));
        using var anonymous = new HttpClient { BaseAddress = Gateway.BaseAddress };

        Assert.Equal(HttpStatusCode.Forbidden, (await otherParent.PostAsync("/api/children/child-g/devices", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await otherParent.GetAsync("/api/children/child-g/devices")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await otherParent.DeleteAsync("/api/children/child-g/devices/child-g-device")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/children/child-g/devices", null)).StatusCode);
        Assert.Equal(101, (await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/child-g", $"Bearer {TestFamilies.TokenFor("child-g")}")).Status);
    }

    [Fact]
    public async Task The_local_sign_in_refuses_a_wrong_passcode()
    {
        Gateway.Families.Child("child-i");
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };

        var wrong = await http.PostAsJsonAsync("/api/auth/local", new { parent_id = TestFamilies.ParentOf("child-i"), passcode = "guess" });
        var unknown = await http.PostAsJsonAsync("/api/auth/local", new { parent_id = "nobody", passcode = TestFamilies.Passcode });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(RawUpgrade.WithoutTraceId((401, await wrong.Content.ReadAsStringAsync())), RawUpgrade.WithoutTraceId((401, await unknown.Content.ReadAsStringAsync())));
    }

    [Fact]
    public async Task Guessing_a_passcode_is_throttled_for_that_parent_and_address_only()
    {
        await using var strict = await StrictGatewayAsync();
        strict.Families.Child("child-l");
        strict.Families.Child("child-m");
        for (var i = 0; i < 5; i++)
        {
            var guess = await SignInFromAsync(strict, "203.0.113.5", TestFamilies.ParentOf("child-l"), $"guess {i}");
            Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
        }

        var right = await SignInFromAsync(strict, "203.0.113.5", TestFamilies.ParentOf("child-l"), TestFamilies.Passcode);
        var otherParentSameAddress = await SignInFromAsync(strict, "203.0.113.5", TestFamilies.ParentOf("child-m"), TestFamilies.Passcode);
        var sameParentElsewhere = await SignInFromAsync(strict, "198.51.100.7", TestFamilies.ParentOf("child-l"), TestFamilies.Passcode);

        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Equal("300", right.Headers.RetryAfter?.ToString());
        Assert.Equal(HttpStatusCode.OK, otherParentSameAddress.StatusCode);
        // The gateway sits behind a proxy on loopback (trusted by default): the forwarded address is the client's.
        Assert.Equal(HttpStatusCode.OK, sameParentElsewhere.StatusCode);
    }

    [Fact]
    public async Task Parallel_guesses_cannot_slip_past_the_limit_together()
    {
        await using var strict = await StrictGatewayAsync();
        strict.Families.Child("child-n");

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            SignInFromAsync(strict, "203.0.113.9", TestFamilies.ParentOf("child-n"), $"guess {i}")));

        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(25, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Forwarded_headers_from_an_unknown_proxy_are_ignored()
    {
        foreach (var key in await Redis.KeysAsync("auth-failures:*")) await Redis.Database.KeyDeleteAsync(key);
        // Loopback is not a proxy of this gateway: whatever a client writes in X-Forwarded-For is ignored.
        await using var direct = new GatewayHost(Redis, new Dictionary<string, string>
        {
            ["Families:MaxFailedSignIns"] = "5",
            ["Proxies:TrustLoopback"] = "false",
            ["Proxies:KnownProxies:0"] = "10.9.9.9",
        });
        direct.Families.Child("child-o");

        for (var i = 0; i < 5; i++)
        {
            await SignInFromAsync(direct, $"203.0.113.{i}", TestFamilies.ParentOf("child-o"), $"guess {i}");
        }
        var rotated = await SignInFromAsync(direct, "203.0.113.99", TestFamilies.ParentOf("child-o"), TestFamilies.Passcode);

        Assert.Equal(HttpStatusCode.TooManyRequests, rotated.StatusCode);
    }

    [Fact]
    public async Task A_tampered_local_token_is_refused()
    {
        Gateway.Families.Child("child-j");
        using var parent = await SignedInAsync(TestFamilies.ParentOf("child-j"));
        var token = parent.DefaultRequestHeaders.Authorization!.Parameter!;
        var parts = token.Split('.');
        var payload = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]).Replace(TestFamilies.ParentOf("child-j"), TestFamilies.ParentOf("child-k"));
        using var forged = new HttpClient { BaseAddress = Gateway.BaseAddress };
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload)}.{parts[2]}");
        Gateway.Families.Child("child-k");

        Assert.Equal(HttpStatusCode.OK, (await parent.GetAsync("/api/children/child-j/devices")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/children/child-k/devices")).StatusCode);
    }

    [Fact]
    public async Task Local_tokens_are_signed_with_the_configured_key_which_never_reaches_Redis()
    {
        Gateway.Families.Child("child-p");
        using var parent = await SignedInAsync(TestFamilies.ParentOf("child-p"));
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        string Mint(string key) => handler.CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "tutor-local",
            Audience = "tutor-parents",
            Claims = new Dictionary<string, object> { ["sub"] = TestFamilies.ParentOf("child-p") },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(key)),
                Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
        });
        using var withConfiguredKey = new HttpClient { BaseAddress = Gateway.BaseAddress };
        withConfiguredKey.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Mint(GatewayHost.TestSigningKey));
        using var withOtherKey = new HttpClient { BaseAddress = Gateway.BaseAddress };
        withOtherKey.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Mint("some-other-key-that-is-long-enough-to-sign"));

        Assert.Equal(HttpStatusCode.OK, (await withConfiguredKey.GetAsync("/api/children/child-p/devices")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withOtherKey.GetAsync("/api/children/child-p/devices")).StatusCode);
        foreach (var key in await Redis.KeysAsync("*"))
        {
            var value = await Redis.Database.KeyTypeAsync(key) == StackExchange.Redis.RedisType.String ? (string?)await Redis.Database.StringGetAsync(key) : null;
            Assert.DoesNotContain(GatewayHost.TestSigningKey, value ?? "");
        }
    }

    [Fact]
    public async Task In_development_a_gateway_without_a_signing_key_signs_with_its_own_and_says_so()
    {
        Gateway.Families.Child("child-k");
        await using var own = new GatewayHost(Redis, families: Gateway.Families,
            services: services => services.PostConfigure<Tutor.Gateway.Families.FamiliesOptions>(o => o.LocalSigningKey = null));
        var token = await own.SignInAsync(TestFamilies.ParentOf("child-k"));
        using var there = new HttpClient { BaseAddress = own.BaseAddress };
        using var elsewhere = new HttpClient { BaseAddress = Gateway.BaseAddress };
        foreach (var http in new[] { there, elsewhere }) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        Assert.Equal(HttpStatusCode.OK, (await there.GetAsync("/api/children/child-k/devices")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsewhere.GetAsync("/api/children/child-k/devices")).StatusCode);
        Assert.Single(own.Logs.GetSnapshot(), l => l.Id.Id == 1105); // "… a key of its own, which other gateways … do not accept"
    }

    [Fact]
    public void Outside_development_a_gateway_without_a_signing_key_does_not_start()
    {
        var error = Assert.ThrowsAny<Exception>(() => new GatewayHost(Redis, new Dictionary<string, string>
        {
            ["environment"] = "Production",
            ["Families:LocalSigningKey"] = "",
        }));

        Assert.Contains("Families:LocalSigningKey is required", error.ToString());
    }

    [Fact]
    public async Task Passcodes_are_stored_salted_and_slow_never_as_a_plain_hash()
    {
        Gateway.Families.Child("child-q");
        var stored = await File.ReadAllTextAsync(Path.Combine(Gateway.Families.Directory, "child-q.json"));
        var first = Tutor.Gateway.Families.Passcodes.Hash(TestFamilies.Passcode);
        var second = Tutor.Gateway.Families.Passcodes.Hash(TestFamilies.Passcode);

        Assert.DoesNotContain(Tutor.Gateway.Families.DeviceTokens.Hash(TestFamilies.Passcode), stored);
        Assert.NotEqual(first, second); // salted: the same passcode twice gives two hashes
        Assert.True(Tutor.Gateway.Families.Passcodes.Verify(first, TestFamilies.Passcode));
        Assert.False(Tutor.Gateway.Families.Passcodes.Verify(first, "open sesame!"));
        Assert.False(Tutor.Gateway.Families.Passcodes.Verify(Tutor.Gateway.Families.DeviceTokens.Hash(TestFamilies.Passcode), TestFamilies.Passcode));
        Assert.False(Tutor.Gateway.Families.Passcodes.Verify(null, TestFamilies.Passcode));
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };
        var signIn = await http.PostAsJsonAsync("/api/auth/local", new { parent_id = TestFamilies.ParentOf("child-q"), passcode = TestFamilies.Passcode });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }

    [Fact]
    public async Task A_device_that_cannot_set_headers_resumes_its_session_from_the_query()
    {
        var token = Gateway.Families.Child("query-child");
        // The session of a connection that was lost (its gateway stopped), still on record.
        await Redis.Database.HashSetAsync(RedisKeys.Session("lost-session-of-query-child"), SessionFields.UserId, "query-child");

        await using var resumed = await DeviceClient.ConnectAsync(Gateway.BaseAddress, "query-child", token, DeviceProfile.Pcm16, CancellationToken.None,
            resumeSessionId: "lost-session-of-query-child", tokenInQuery: true);
        await using var fresh = await DeviceClient.ConnectAsync(Gateway.BaseAddress, "query-child", token, DeviceProfile.Pcm16, CancellationToken.None,
            tokenInQuery: true);

        Assert.Equal("lost-session-of-query-child", resumed.SessionId);
        Assert.NotEqual("lost-session-of-query-child", fresh.SessionId);
        Assert.NotEmpty(fresh.SessionId);
    }

    [Fact]
    public async Task The_page_is_told_to_sign_in_locally_when_firebase_is_not_configured()
    {
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };

        var config = await http.GetFromJsonAsync<JsonElement>("/api/auth/config");

        Assert.Equal("local", config.GetProperty("mode").GetString());
        Assert.False(config.TryGetProperty("project_id", out _));
    }

    /// <summary>A gateway that turns an address away after 5 refusals, starting from a clean count.</summary>
    private async Task<GatewayHost> StrictGatewayAsync()
    {
        foreach (var key in await Redis.KeysAsync("auth-failures:*")) await Redis.Database.KeyDeleteAsync(key);
        return new GatewayHost(Redis, new Dictionary<string, string> { ["Families:MaxFailedSignIns"] = "5" });
    }

    private static async Task<HttpResponseMessage> SignInFromAsync(GatewayHost gateway, string forwardedFor, string parentId, string passcode)
    {
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/local") { Content = JsonContent.Create(new { parent_id = parentId, passcode }) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await http.SendAsync(request);
    }

    private Task<HttpClient> SignedInAsync(string parentId) => Gateway.ParentClientAsync(parentId);
}
