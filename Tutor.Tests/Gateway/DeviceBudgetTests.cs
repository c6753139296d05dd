using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Device;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>
/// The budgets one device lives within (docs/device-protocol.md, "Limits"), so that one misbehaving device cannot
/// starve every other family: bytes per second, turns awaiting an answer, one connection per device secret, and a
/// revoked device is cut off at once. There are no workers here: turns await their answers.
/// </summary>
public sealed class DeviceBudgetTests() : GatewayTestBed(new Dictionary<string, string> { ["Devices:MaxFrameBytes"] = "16384" })
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_device_sending_far_faster_than_real_time_is_cut_off_by_its_byte_budget()
    {
        await using var device = await Gateway.ConnectDeviceAsync("flooding-child");
        using var timeout = new CancellationTokenSource(Timeout);
        var frame = new byte[16_000]; // half a second of PCM16 in each message: far under the message-rate limit

        var sent = 0;
        try
        {
            // 40 messages are 20 s of audio at once: more than the 10 s burst allows.
            for (; sent < 40; sent++) await device.Socket.SendAsync(frame, WebSocketMessageType.Binary, true, timeout.Token);
        }
        catch (WebSocketException)
        {
            // The gateway closed while the device was still sending.
        }

        var error = await device.NextMessageAsync(timeout.Token);
        Assert.Equal((DeviceMessageTypes.Error, DeviceErrorCodes.RateLimited), (error.Type, error.Code));
        Assert.Contains("bytes per second", error.Message);
        Assert.Null(await device.ReceiveAsync(timeout.Token));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, device.CloseStatus);
    }

    [Fact]
    public async Task A_push_to_talk_press_too_short_to_be_speech_is_not_a_turn()
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await using var device = await Gateway.ConnectDeviceAsync("clicking-child");
        using var timeout = new CancellationTokenSource(Timeout);

        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromMilliseconds(100)), timeout.Token);
        var error = await device.NextMessageAsync(timeout.Token);
        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromMilliseconds(400)), timeout.Token);
        await announcements.WaitForAsync(m => m.Count == 1, Timeout);

        Assert.Equal((DeviceMessageTypes.Error, DeviceErrorCodes.UtteranceTooShort), (error.Type, error.Code));
        var announced = TutorJson.TryDeserialize<UtteranceAnnouncement>(Assert.Single(announcements.Messages).Message)!;
        Assert.Equal(TestAudio.BytesFor(TimeSpan.FromMilliseconds(400)), (await Redis.Database.StringGetAsync(announced.AudioKey)).Length());
    }

    [Fact]
    public async Task One_turn_answered_and_one_waiting_a_third_is_refused_until_the_device_aborts()
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await using var device = await Gateway.ConnectDeviceAsync("chatty-child");
        using var timeout = new CancellationTokenSource(Timeout);
        var pcm = TestAudio.Utterance(TimeSpan.FromMilliseconds(500));

        await device.SpeakAsync(pcm, timeout.Token);
        await device.SpeakAsync(pcm, timeout.Token);
        await device.SpeakAsync(pcm, timeout.Token);
        var refused = await device.NextMessageAsync(timeout.Token);
        await device.AbortAsync(timeout.Token);
        await device.SpeakAsync(pcm, timeout.Token);
        await announcements.WaitForAsync(m => m.Count == 3, Timeout); // two, then one more once the device let the others go
        await Never.HappensAsync(() => announcements.Messages.Count > 3, "the refused utterance announced", TimeSpan.FromMilliseconds(300));

        Assert.Equal((DeviceMessageTypes.Error, DeviceErrorCodes.TooManyTurns), (refused.Type, refused.Code));
    }

    [Fact]
    public async Task A_device_connecting_again_replaces_its_old_connection_on_any_gateway()
    {
        await using var second = new GatewayHost(Redis, families: Gateway.Families);
        await using var old = await Gateway.ConnectDeviceAsync("twice-child");
        await using var sameGateway = await Gateway.ConnectDeviceAsync("twice-child");
        using var timeout = new CancellationTokenSource(Timeout);

        var replaced = await old.NextMessageAsync(timeout.Token);
        Assert.Equal((DeviceMessageTypes.Error, DeviceErrorCodes.Replaced), (replaced.Type, replaced.Code));
        Assert.Null(await old.ReceiveAsync(timeout.Token));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, old.CloseStatus);

        // Now from another gateway: the connection on the first is closed within moments.
        await using var elsewhere = await second.ConnectDeviceAsync("twice-child");
        var replacedAgain = await sameGateway.NextMessageAsync(timeout.Token);
        Assert.Equal(DeviceErrorCodes.Replaced, replacedAgain.Code);
        Assert.Null(await sameGateway.ReceiveAsync(timeout.Token));

        // The newest connection works.
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await elsewhere.SpeakAsync(TestAudio.Utterance(TimeSpan.FromMilliseconds(500)), timeout.Token);
        var announced = TutorJson.TryDeserialize<UtteranceAnnouncement>((await announcements.WaitForAsync(m => m.Count == 1, Timeout))[0].Message)!;
        Assert.Equal(elsewhere.SessionId, announced.SessionId);
    }

    [Fact]
    public async Task Revoking_a_device_closes_its_open_connection_on_another_gateway_at_once()
    {
        await using var parentsGateway = new GatewayHost(Redis, families: Gateway.Families);
        Gateway.Families.Child("revoked-child");
        using var parent = await parentsGateway.ParentClientAsync(TestFamilies.ParentOf("revoked-child"));
        var issued = await (await parent.PostAsync("/api/children/revoked-child/devices", null)).Content.ReadFromJsonAsync<JsonElement>();
        await using var device = await DeviceClient.ConnectAsync(Gateway.BaseAddress, "revoked-child", issued.GetProperty("token").GetString(),
            DeviceProfile.Pcm16, CancellationToken.None);
        await using var otherDevice = await Gateway.ConnectDeviceAsync("revoked-child"); // the child's other device stays
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));

        var revoked = await parent.DeleteAsync($"/api/children/revoked-child/devices/{issued.GetProperty("device_id").GetString()}");
        var error = await device.NextMessageAsync(timeout.Token);

        Assert.True(revoked.IsSuccessStatusCode);
        Assert.Equal((DeviceMessageTypes.Error, DeviceErrorCodes.DeviceRevoked), (error.Type, error.Code));
        Assert.Null(await device.ReceiveAsync(timeout.Token));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, device.CloseStatus);
        Assert.Equal(WebSocketState.Open, otherDevice.Socket.State);
    }
}
