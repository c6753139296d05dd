using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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

    private static async Task<JsonElement> DeviceAsync(HttpClient parent, string deviceId) =>
        (await parent.GetFromJsonAsync<JsonElement>("/api/children/listed-child/devices")).EnumerateArray()
            .Single(d => d.GetProperty("device_id").GetString() == deviceId);
}
