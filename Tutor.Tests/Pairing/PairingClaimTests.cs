using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tutor.Contracts.Families;
using Tutor.Contracts.Redis;
using Tutor.Gateway.Families;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Pairing;

/// <summary>
/// A parent entering a pairing code (<c>POST /api/pairing</c>), against a code a waiting device left in Redis: what a
/// code and a name may be, how many tries a parent gets, and what happens when the device stops waiting meanwhile.
/// </summary>
public sealed class PairingClaimTests() : GatewayTestBed(new Dictionary<string, string> { ["Pairing:MaxClaimAttempts"] = "3" })
{
    [Fact]
    public async Task A_code_is_six_digits_and_a_name_is_optional_and_cut_at_40_characters()
    {
        Gateway.Families.Child("coded");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("coded"));
        await WaitingDeviceAsync("123456");
        await WaitingDeviceAsync("654321");

        var notDigits = await ClaimAsync(parent, "12345a", "coded");
        var tooLong = await ClaimAsync(parent, "1234567", "coded");
        var unnamed = await ClaimAsync(parent, " 123456 ", "coded");
        var named = await ClaimAsync(parent, "654321", "coded", "  " + new string('r', 45));

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.Created, HttpStatusCode.Created],
            [notDigits.StatusCode, tooLong.StatusCode, unnamed.StatusCode, named.StatusCode]);
        Assert.Contains("six digits", await notDigits.Content.ReadAsStringAsync());
        var unnamedId = (await unnamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("device_id").GetString()!;
        var namedDevice = await named.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(new string('r', 40), namedDevice.GetProperty("name").GetString());
        var listed = (await parent.GetFromJsonAsync<JsonElement>("/api/children/coded/devices")).EnumerateArray().ToList();
        Assert.False(listed.Single(d => d.GetProperty("device_id").GetString() == unnamedId).TryGetProperty("name", out _));
        // Each waiting device has its secret to take, for that child.
        Assert.StartsWith(unnamedId + ".", (string?)await Redis.Database.HashGetAsync(RedisKeys.Pairing("123456"), PairingFields.Token));
        Assert.Equal("coded", (string?)await Redis.Database.HashGetAsync(RedisKeys.Pairing("654321"), PairingFields.UserId));
        Assert.Single(Gateway.Logs.GetSnapshot(), l => l.Id.Id == 1204
            && l.StructuredState!.Contains(new("DeviceId", unnamedId)) && l.StructuredState!.Contains(new("Parent", TestFamilies.ParentOf("coded"))));
    }

    [Fact]
    public async Task A_right_code_gives_its_try_back_and_the_tries_after_the_limit_are_turned_away()
    {
        Gateway.Families.Child("guessing");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("guessing"));
        await WaitingDeviceAsync("111111");

        var answers = new List<HttpStatusCode>();
        foreach (var code in new[] { "000001", "000002", "111111", "000003", "000004" })
        {
            answers.Add((await ClaimAsync(parent, code, "guessing")).StatusCode);
        }

        // 3 tries a window: the right code's try was given back, so the wrong one after it is still a 404.
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.Created, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], answers);
    }

    [Fact]
    public async Task A_device_that_stops_waiting_while_its_code_is_claimed_gets_no_usable_secret()
    {
        Gateway.Families.Child("left-child");
        await using var gateway = new GatewayHost(Redis, families: Gateway.Families, services: services =>
            services.AddSingleton<IProfileSource>(sp => new DeviceLeavesWhenSecretsChange(sp.GetRequiredService<LocalFamilyDirectory>(), Redis, "222222")));
        using var parent = await gateway.ParentClientAsync(TestFamilies.ParentOf("left-child"));
        await WaitingDeviceAsync("222222");

        var claimed = await ClaimAsync(parent, "222222", "left-child");

        Assert.Equal(HttpStatusCode.Gone, claimed.StatusCode);
        Assert.Contains("new code", await claimed.Content.ReadAsStringAsync());
        var devices = (await parent.GetFromJsonAsync<JsonElement>("/api/children/left-child/devices")).EnumerateArray().ToList();
        Assert.Equal(2, devices.Count); // the child's own and the one made for the device that left …
        var revoked = Assert.Single(devices, d => d.GetProperty("revoked").GetBoolean()); // … which can never sign in …
        Assert.NotEqual("left-child-device", revoked.GetProperty("device_id").GetString()); // … while the child's own still does
        Assert.DoesNotContain(gateway.Logs.GetSnapshot(), l => l.Id.Id == 1204);
    }

    /// <summary>What a waiting device's connection leaves in Redis for its code.</summary>
    private Task WaitingDeviceAsync(string code) =>
        Redis.Database.HashSetAsync(RedisKeys.Pairing(code), PairingFields.Status, PairingFields.Waiting);

    private static Task<HttpResponseMessage> ClaimAsync(HttpClient parent, string code, string userId, string? name = null) =>
        parent.PostAsJsonAsync("/api/pairing", new { code, user_id = userId, name });

    /// <summary>The families directory, where the device waiting with <paramref name="code"/> gives up just as its secret is being saved.</summary>
    private sealed class DeviceLeavesWhenSecretsChange(LocalFamilyDirectory directory, RedisServer redis, string code) : IProfileSource
    {
        public Task<ChildProfile?> FindAsync(string userId, CancellationToken cancellationToken) => directory.FindAsync(userId, cancellationToken);

        public Task<IReadOnlyList<ChildProfile>> ChildrenOfAsync(string parentId, CancellationToken cancellationToken) =>
            directory.ChildrenOfAsync(parentId, cancellationToken);

        public async Task<ChildProfile> UpdateDeviceSecretsAsync(string userId, Func<IReadOnlyList<DeviceSecret>, IReadOnlyList<DeviceSecret>> change,
            CancellationToken cancellationToken)
        {
            await redis.Database.KeyDeleteAsync(RedisKeys.Pairing(code)); // what its connection does when the device leaves
            return await directory.UpdateDeviceSecretsAsync(userId, change, cancellationToken);
        }

        public Task<ChildProfile> SaveChildAsync(ChildProfile child, bool create, CancellationToken cancellationToken) =>
            directory.SaveChildAsync(child, create, cancellationToken);

        public Task DeleteChildAsync(string userId, CancellationToken cancellationToken) => directory.DeleteChildAsync(userId, cancellationToken);
    }
}
