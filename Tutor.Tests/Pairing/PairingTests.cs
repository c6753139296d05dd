using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tutor.Contracts.Devices;
using Tutor.Device;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Pairing;

/// <summary>
/// Pairing a device with a spoken code (docs/device-protocol.md, "Pairing") against a live gateway and worker: the
/// device asks, hears its code, a parent enters it, the device receives its secret and talks with it.
/// </summary>
public sealed class PairingTests() : TurnTestBed(new Dictionary<string, string> { ["Pairing:CheckInterval"] = "00:00:00.100" })
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_device_speaks_its_code_the_parent_enters_it_and_the_device_then_talks_with_its_new_secret()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        Gateway.Families.Child("paired-child");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("paired-child"), timeout.Token);
        var code = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var spoken = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var pairing = DevicePairing.PairAsync(Gateway.BaseAddress, DeviceProfile.Opus,
            c => { code.TrySetResult(c); return Task.CompletedTask; },
            s => { spoken.TrySetResult(s); return Task.CompletedTask; }, timeout.Token);
        var heard = await spoken.Task.WaitAsync(timeout.Token);
        var digits = await code.Task;
        var claimed = await parent.PostAsJsonAsync("/api/pairing", new { code = digits, user_id = "paired-child", name = "Bedroom" }, timeout.Token);
        var device = await pairing;

        Assert.Matches("^[0-9]{6}$", digits);
        Assert.Contains(string.Join(", ", digits.ToCharArray()), heard); // the worker said it, digit by digit
        Assert.Equal(HttpStatusCode.Created, claimed.StatusCode);
        Assert.Equal("paired-child", device.UserId);
        var listed = await parent.GetFromJsonAsync<JsonElement>("/api/children/paired-child/devices", timeout.Token);
        Assert.Contains(listed.EnumerateArray(), d => d.TryGetProperty("name", out var name) && name.GetString() == "Bedroom" && device.Token.StartsWith(d.GetProperty("device_id").GetString()!));
        Assert.Empty(await Redis.KeysAsync("pairing:*")); // single use: the code and the secret are gone from Redis

        // The device connects as usual with what it received, and talks.
        await using var paired = await DeviceClient.ConnectAsync(Gateway.BaseAddress, device.UserId, device.Token, DeviceProfile.Pcm16, timeout.Token);
        await paired.SpeakAsync(TestAudio.Utterance(TimeSpan.FromMilliseconds(800)), timeout.Token);
        var reply = await paired.ListenForReplyAsync(timeout.Token);
        Assert.Null(reply.Error);
        Assert.NotEmpty(reply.Sentences);

        var again = await parent.PostAsJsonAsync("/api/pairing", new { code = digits, user_id = "paired-child" }, timeout.Token);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Only_a_childs_parent_pairs_with_it_and_a_wrong_code_is_a_clear_404()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        Gateway.Families.Child("mine");
        Gateway.Families.Child("theirs");
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf("mine"), timeout.Token);
        var code = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var pairing = DevicePairing.PairAsync(Gateway.BaseAddress, DeviceProfile.Pcm16, c => { code.TrySetResult(c); return Task.CompletedTask; },
            _ => Task.CompletedTask, stop.Token);
        var digits = await code.Task.WaitAsync(timeout.Token);
        var wrong = digits == "000000" ? "000001" : "000000";

        var otherFamily = await parent.PostAsJsonAsync("/api/pairing", new { code = digits, user_id = "theirs" }, timeout.Token);
        var notACode = await parent.PostAsJsonAsync("/api/pairing", new { code = "12ab", user_id = "mine" }, timeout.Token);
        var noSuchCode = await parent.PostAsJsonAsync("/api/pairing", new { code = wrong, user_id = "mine" }, timeout.Token);

        Assert.Equal(HttpStatusCode.Forbidden, otherFamily.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notACode.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noSuchCode.StatusCode);
        Assert.Contains("expired", await noSuchCode.Content.ReadAsStringAsync(timeout.Token));
        Assert.False(pairing.IsCompleted); // still waiting for its own parent
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pairing);
    }

    [Fact]
    public async Task A_code_nobody_enters_expires_and_the_device_is_told()
    {
        await using var gateway = new GatewayHost(Redis, new Dictionary<string, string>
        {
            ["Pairing:CodeLifetime"] = "00:00:05",
            ["Pairing:CheckInterval"] = "00:00:00.100",
        });
        using var timeout = new CancellationTokenSource(Timeout);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DevicePairing.PairAsync(gateway.BaseAddress, DeviceProfile.Pcm16,
            _ => Task.CompletedTask, _ => Task.CompletedTask, timeout.Token));

        Assert.Contains(DeviceErrorCodes.PairingExpired, error.Message);
    }

    [Fact]
    public async Task One_address_gets_a_few_codes_and_is_then_turned_away()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        for (var i = 0; i < 5; i++)
        {
            await using var device = await DeviceClient.ConnectAsync(Gateway.BaseAddress, "pair", null, DeviceProfile.Pcm16, timeout.Token);
            await device.SendAsync(DeviceMessage.PairStart(), timeout.Token);
            var answer = await device.NextMessageAsync(timeout.Token);
            Assert.Equal((DeviceMessageTypes.Pair, PairStates.Code), (answer.Type, answer.State));
        }

        await using var sixth = await DeviceClient.ConnectAsync(Gateway.BaseAddress, "pair", null, DeviceProfile.Pcm16, timeout.Token);
        await sixth.SendAsync(DeviceMessage.PairStart(), timeout.Token);
        var refused = await sixth.NextMessageAsync(timeout.Token);

        Assert.Equal((DeviceMessageTypes.Error, DeviceErrorCodes.RateLimited), (refused.Type, refused.Code));
        Assert.Null(await sixth.ReceiveAsync(timeout.Token));
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, sixth.CloseStatus);
        await Eventually.HoldsAsync(async () => (await Redis.KeysAsync("pairing:*")).Count == 0, "codes of devices that left are forgotten");
    }
}
