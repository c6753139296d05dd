using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>Parents add, edit and delete children without a terminal, on the local families directory.</summary>
public sealed class ChildrenTests() : GatewayTestBed
{
    [Fact]
    public async Task A_parent_adds_a_child_edits_them_and_the_change_is_seen_at_once()
    {
        Gateway.Families.Child("older-sibling");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("older-sibling"));

        var added = await parent.PostAsJsonAsync("/api/me/children",
            new { name = "Lucía", age = 6, native_language = "es", target_language = "en", level = "beginner" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var userId = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user_id").GetString()!;
        var listed = await parent.GetFromJsonAsync<JsonElement>("/api/me/children");
        Assert.Equal(["Child older-sibling", "Lucía"], listed.EnumerateArray().Select(c => c.GetProperty("name").GetString()).Order());
        Assert.Contains($"\"id\": \"{userId}\"", string.Concat(Directory.GetFiles(Gateway.Families.Directory).Select(File.ReadAllText))); // in the family's file

        var edited = await parent.PutAsJsonAsync($"/api/children/{userId}",
            new { name = "Lucía M.", age = 7, native_language = "es", target_language = "en", level = "intermediate" });
        var progress = await parent.GetFromJsonAsync<JsonElement>($"/api/children/{userId}/progress"); // read through the cache

        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal("Lucía M.", progress.GetProperty("name").GetString());
        // A device issued for the new child connects.
        var issued = await (await parent.PostAsync($"/api/children/{userId}/devices", null)).Content.ReadFromJsonAsync<JsonElement>();
        await using var device = await Tutor.Device.DeviceClient.ConnectAsync(Gateway.BaseAddress, userId, issued.GetProperty("token").GetString(),
            Tutor.Device.DeviceProfile.Pcm16, CancellationToken.None);
        Assert.NotEmpty(device.SessionId);
    }

    private static readonly string Forty = new('n', 40);

    [Theory]
    [InlineData("", 6, "es", "en", "beginner")]
    [InlineData("   ", 6, "es", "en", "beginner")]
    [InlineData("Name", 40, "es", "en", "beginner")]
    [InlineData("Name", 1, "es", "en", "beginner")]
    [InlineData("Name", 17, "es", "en", "beginner")]
    [InlineData("Name", 6, "spanish", "en", "beginner")]
    [InlineData("Name", 6, "eS", "en", "beginner")]
    [InlineData("Name", 6, "es", "e1", "beginner")]
    [InlineData("Name", 6, "es", "en", "expert")]
    public async Task A_child_with_a_bad_field_is_refused_with_a_clear_400(string name, int age, string native, string target, string level)
    {
        Gateway.Families.Child("validated");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("validated"));

        var added = await parent.PostAsJsonAsync("/api/me/children", new { name, age, native_language = native, target_language = target, level });

        Assert.Equal(HttpStatusCode.BadRequest, added.StatusCode);
        Assert.Contains("\"detail\"", await added.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_name_over_40_characters_is_refused()
    {
        Gateway.Families.Child("long-named");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("long-named"));

        var added = await parent.PostAsJsonAsync("/api/me/children", new { name = Forty + "x", age = 6 });
        var edited = await parent.PutAsJsonAsync("/api/children/long-named", new { name = Forty + "x", age = 6 });

        Assert.Equal(HttpStatusCode.BadRequest, added.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, edited.StatusCode);
        Assert.Equal("Child long-named", (await parent.GetFromJsonAsync<JsonElement>("/api/children/long-named/progress")).GetProperty("name").GetString());
    }

    /// <summary>The limits' edges are accepted, and what was sent is what is kept (a missing level is the first one).</summary>
    [Theory]
    [InlineData("A", 2, "es", "en", "advanced")]
    [InlineData("forty", 16, null, null, "intermediate")]
    [InlineData("No age", null, "fr", "de", null)]
    public async Task A_child_at_the_edges_of_the_limits_is_added_as_sent(string name, int? age, string? native, string? target, string? level)
    {
        Gateway.Families.Child("edges");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("edges"));
        var sentName = name == "forty" ? $"  {Forty}  " : name; // 40 once trimmed

        var added = await parent.PostAsJsonAsync("/api/me/children", new { name = sentName, age, native_language = native, target_language = target, level });

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var child = await added.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(sentName.Trim(), child.GetProperty("name").GetString());
        Assert.Equal(age, child.TryGetProperty("age", out var a) ? a.GetInt32() : null);
        Assert.Equal(native, child.TryGetProperty("native_language", out var n) ? n.GetString() : null);
        Assert.Equal(target, child.TryGetProperty("target_language", out var t) ? t.GetString() : null);
        Assert.Equal(level ?? "beginner", child.GetProperty("level").GetString());
    }

    [Fact]
    public async Task Deleting_a_child_disconnects_their_device_and_leaves_nothing_of_them()
    {
        Gateway.Families.Child("leaving-child");
        Gateway.Families.Child("stranger");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("leaving-child"));
        using var stranger = await Gateway.ParentClientAsync(TestFamilies.ParentOf("stranger"));
        await using var device = await Gateway.ConnectDeviceAsync("leaving-child");
        await Redis.Database.StringSetAsync(RedisKeys.ChildProgress("leaving-child"), "{}");
        await Redis.Database.StreamAddAsync(RedisKeys.History("leaving-child"), "line", "{}");

        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.DeleteAsync("/api/children/leaving-child")).StatusCode);
        var deleted = await parent.DeleteAsync("/api/children/leaving-child");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var told = await device.NextMessageAsync(timeout.Token);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal((DeviceMessageTypes.Error, DeviceErrorCodes.DeviceRevoked), (told.Type, told.Code));
        Assert.Null(await device.ReceiveAsync(timeout.Token));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, device.CloseStatus);
        Assert.False(await Redis.Database.KeyExistsAsync(RedisKeys.ChildProgress("leaving-child")));
        Assert.False(await Redis.Database.KeyExistsAsync(RedisKeys.History("leaving-child")));
        Assert.Equal(HttpStatusCode.Forbidden, (await parent.GetAsync("/api/children/leaving-child/progress")).StatusCode);
        Assert.DoesNotContain("\"id\": \"leaving-child\"", string.Concat(Directory.GetFiles(Gateway.Families.Directory).Select(File.ReadAllText)));
        Assert.Equal(403, (await RawUpgrade.RequestAsync(Gateway.BaseAddress, "/ws/leaving-child", $"Bearer {TestFamilies.TokenFor("leaving-child")}")).Status);
    }
}
