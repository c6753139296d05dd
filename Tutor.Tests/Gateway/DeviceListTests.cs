using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Transcripts;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>A parent's list of a child's devices: what each is doing, when it was last seen, and its name.</summary>
public sealed class DeviceListTests() : GatewayTestBed
{
    [Fact]
    public async Task Each_device_shows_its_state_and_last_seen_and_a_parent_renames_it()
    {
        var token = Gateway.Families.Child("listed-child");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("listed-child"));
        var deviceId = token.Split('.')[0];
        var before = await DeviceAsync(parent, deviceId);
        Assert.Equal(DeviceStates.Offline, before.GetProperty("state").GetString());
        Assert.False(before.TryGetProperty("last_seen", out _)); // never connected

        var connectedAt = DateTimeOffset.UtcNow;
        await using (var device = await Gateway.ConnectDeviceAsync("listed-child"))
        {
            var online = await DeviceAsync(parent, deviceId);
            Assert.Equal(DeviceStates.Listening, online.GetProperty("state").GetString());
            Assert.InRange(online.GetProperty("last_seen").GetDateTimeOffset(), connectedAt.AddSeconds(-2), DateTimeOffset.UtcNow.AddSeconds(2));
        }
        await Eventually.HoldsAsync(async () => (await DeviceAsync(parent, deviceId)).GetProperty("state").GetString() == DeviceStates.Offline,
            "the device shows offline once it left");

        var renamed = await parent.PatchAsJsonAsync($"/api/children/listed-child/devices/{deviceId}", new { name = "  Bedroom  " });
        var empty = await parent.PatchAsJsonAsync($"/api/children/listed-child/devices/{deviceId}", new { name = "" });
        var unknown = await parent.PatchAsJsonAsync("/api/children/listed-child/devices/dev-nope", new { name = "x" });

        Assert.Equal(HttpStatusCode.NoContent, renamed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var after = await DeviceAsync(parent, deviceId);
        Assert.Equal("Bedroom", after.GetProperty("name").GetString());
        Assert.True(after.GetProperty("last_seen").GetDateTimeOffset() >= connectedAt.AddSeconds(-2));
    }

    [Fact]
    public async Task A_name_is_1_to_40_characters_and_names_only_its_own_device()
    {
        var first = Gateway.Families.Child("listed-child").Split('.')[0];
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("listed-child"));
        var second = await IssueDeviceAsync(parent);
        var forty = new string('k', 40);

        var shortest = await parent.PatchAsJsonAsync($"/api/children/listed-child/devices/{first}", new { name = "K" });
        var longest = await parent.PatchAsJsonAsync($"/api/children/listed-child/devices/{second}", new { name = forty });
        var tooLong = await parent.PatchAsJsonAsync($"/api/children/listed-child/devices/{first}", new { name = forty + "k" });
        var missing = await parent.PatchAsJsonAsync($"/api/children/listed-child/devices/{first}", new { });

        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest],
            [shortest.StatusCode, longest.StatusCode, tooLong.StatusCode, missing.StatusCode]);
        Assert.Equal("K", (await DeviceAsync(parent, first)).GetProperty("name").GetString());
        Assert.Equal(forty, (await DeviceAsync(parent, second)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_revoked_device_shows_revoked_and_offline_whatever_its_last_state_was()
    {
        var kept = Gateway.Families.Child("listed-child").Split('.')[0];
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("listed-child"));
        var revoked = await IssueDeviceAsync(parent);
        Assert.Equal(HttpStatusCode.NoContent, (await parent.DeleteAsync($"/api/children/listed-child/devices/{revoked}")).StatusCode);
        // Both were listening a moment ago, as a gateway that lost track of the revoked one would still say.
        var seen = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var id in new[] { kept, revoked })
        {
            await Redis.Database.HashSetAsync(RedisKeys.DevicePresence("listed-child"),
                [new(id, DeviceStates.Listening), new(DevicePresenceFields.SeenAt(id), seen)]);
        }

        var listedKept = await DeviceAsync(parent, kept);
        var listedRevoked = await DeviceAsync(parent, revoked);

        Assert.Equal((false, DeviceStates.Listening), (listedKept.GetProperty("revoked").GetBoolean(), listedKept.GetProperty("state").GetString()));
        Assert.Equal((true, DeviceStates.Offline), (listedRevoked.GetProperty("revoked").GetBoolean(), listedRevoked.GetProperty("state").GetString()));
    }

    /// <summary>The parent issues another device secret for the child; returns its device id.</summary>
    private static async Task<string> IssueDeviceAsync(HttpClient parent) =>
        (await (await parent.PostAsync("/api/children/listed-child/devices", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("device_id").GetString()!;

    private static async Task<JsonElement> DeviceAsync(HttpClient parent, string deviceId) =>
        (await parent.GetFromJsonAsync<JsonElement>("/api/children/listed-child/devices")).EnumerateArray()
            .Single(d => d.GetProperty("device_id").GetString() == deviceId);
}
