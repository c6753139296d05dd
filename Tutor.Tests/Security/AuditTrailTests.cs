using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Testing;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Security;

/// <summary>
/// What a parent does to a child — adding, issuing or revoking a device, deleting the history or the child — leaves the
/// operator an event naming the child, the device and the parent who did it (ids only), as does a refused local sign-in.
/// </summary>
public sealed class AuditTrailTests() : GatewayTestBed
{
    [Fact]
    public async Task Each_change_to_a_child_is_logged_once_with_who_did_it_and_no_secret()
    {
        Gateway.Families.Child("audited");
        var parentId = TestFamilies.ParentOf("audited");
        using var parent = await Gateway.ParentClientAsync(parentId);
        await Redis.Database.StreamAddAsync(RedisKeys.History("audited"), "line", "{}");

        var added = (await (await parent.PostAsJsonAsync("/api/me/children", new { name = "Added" })).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("user_id").GetString()!;
        var issued = await (await parent.PostAsync("/api/children/audited/devices", null)).Content.ReadFromJsonAsync<JsonElement>();
        var deviceId = issued.GetProperty("device_id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await parent.DeleteAsync($"/api/children/audited/devices/{deviceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await parent.DeleteAsync("/api/children/audited/history")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await parent.DeleteAsync($"/api/children/{added}")).StatusCode);
        using var anonymous = new HttpClient { BaseAddress = Gateway.BaseAddress };
        var refused = await anonymous.PostAsJsonAsync("/api/auth/local", new { parent_id = parentId, passcode = "not-the-passcode" });
        var nobody = await anonymous.PostAsJsonAsync("/api/auth/local", new { passcode = "not-the-passcode" });

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (refused.StatusCode, nobody.StatusCode));
        var logs = Gateway.Logs.GetSnapshot();
        AssertLoggedOnce(logs, 1107, ("UserId", added), ("Parent", parentId));                        // child added
        AssertLoggedOnce(logs, 1109, ("DeviceId", deviceId), ("UserId", "audited"), ("Parent", parentId)); // device issued
        AssertLoggedOnce(logs, 1110, ("DeviceId", deviceId), ("UserId", "audited"), ("Parent", parentId)); // device revoked
        AssertLoggedOnce(logs, 1112, ("UserId", "audited"), ("Parent", parentId));                     // history deleted
        AssertLoggedOnce(logs, 1108, ("UserId", added), ("Parent", parentId));                         // child deleted
        Assert.Equal(2, logs.Count(l => l.Id.Id == 1111));                                             // local sign-ins refused
        AssertLoggedOnce(logs, 1111, ("ParentId", parentId), ("Address", "127.0.0.1"));
        var secret = issued.GetProperty("token").GetString()!;
        Assert.DoesNotContain(logs, l => l.Message.Contains(secret[(secret.IndexOf('.') + 1)..], StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Message.Contains("not-the-passcode", StringComparison.Ordinal));
    }

    private static void AssertLoggedOnce(IReadOnlyList<FakeLogRecord> logs, int eventId, params (string Key, string Value)[] state)
    {
        var matching = logs.Where(l => l.Id.Id == eventId && state.All(s => l.StructuredState?.Any(kv => kv.Key == s.Key && kv.Value == s.Value) == true)).ToList();
        Assert.True(matching.Count == 1, $"event {eventId} with {string.Join(", ", state)}: logged {matching.Count} times; "
            + $"events {eventId}: {string.Join(" | ", logs.Where(l => l.Id.Id == eventId).Select(l => l.Message))}");
    }
}
