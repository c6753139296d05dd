using System.Net;
using System.Net.WebSockets;
using System.Text;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Device;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>The gateway on its own, against a real Redis: the device socket, the utterance hand-off and the reply relay.</summary>
public sealed class DeviceSocketTests() : GatewayTestBed(new Dictionary<string, string>
{
    ["Devices:MaxFrameBytes"] = "8192",
    ["Listening:MaxUtteranceLength"] = "00:00:02",
    ["Devices:MaxTurnsAwaiting"] = "5", // no workers here: every cut piece awaits its answer
})
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    [Theory]
    [InlineData("/ws/", HttpStatusCode.BadRequest, "user id is required")]
    [InlineData("/ws/not%20valid", HttpStatusCode.BadRequest, "letters, digits")]
    [InlineData("/ws/a%2Fb", HttpStatusCode.BadRequest, "letters, digits")]
    [InlineData("/ws/child-1", HttpStatusCode.BadRequest, "WebSocket connections only")]
    [InlineData("/ws/pair", HttpStatusCode.BadRequest, "WebSocket connections only")]
    public async Task Refuses_a_bad_request_before_the_upgrade_with_a_clear_status(string path, HttpStatusCode status, string detail)
    {
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };
        var response = await http.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_malformed_user_id_never_gets_a_websocket()
    {
        using var socket = new ClientWebSocket();
        var uri = new Uri(new UriBuilder(Gateway.BaseAddress) { Scheme = "ws" }.Uri, "/ws/bad%20user");
        var error = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None));
        Assert.Contains("400", error.Message);
        Assert.Empty(await Redis.KeysAsync("session:*"));
    }

    [Fact]
    public async Task An_utterance_is_stored_under_the_documented_key_and_announced_with_only_its_reference()
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await using var device = await Gateway.ConnectDeviceAsync("child-1");
        var pcm = TestAudio.Utterance(TimeSpan.FromSeconds(1.5));

        await device.SpeakAsync(pcm, CancellationToken.None);

        var announced = await announcements.WaitForAsync(m => m.Count == 1, Timeout);
        var json = System.Text.Json.JsonDocument.Parse(announced[0].Message).RootElement;
        Assert.Equal(device.SessionId, json.GetProperty("session_id").GetString());
        var audioKey = json.GetProperty("audio_key").GetString()!;
        Assert.Matches($"^audio:{device.SessionId}:[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}$", audioKey);
        Assert.True(announced[0].Message.Length < 512, "only a reference travels on pub/sub, never audio");

        var stored = await Redis.Database.StringGetAsync(audioKey);
        Assert.Equal(pcm, (byte[])stored!);
        var ttl = await Redis.Database.KeyTimeToLiveAsync(audioKey);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_session_record_lives_while_connected_and_goes_with_the_socket()
    {
        string sessionId;
        await using (var device = await Gateway.ConnectDeviceAsync("child-2"))
        {
            sessionId = device.SessionId;
            var record = await Redis.Database.HashGetAllAsync(RedisKeys.Session(sessionId));
            Assert.Equal("child-2", record.Single(f => f.Name == SessionFields.UserId).Value.ToString());
            Assert.Equal("16000", record.Single(f => f.Name == SessionFields.SampleRate).Value.ToString());
            Assert.NotNull(await Redis.Database.KeyTimeToLiveAsync(RedisKeys.Session(sessionId)));
            await Redis.WaitForSubscribersAsync(Channels.Responses(sessionId), 1);
        }

        await Eventually.HoldsAsync(async () => !await Redis.Database.KeyExistsAsync(RedisKeys.Session(sessionId)), "the session record is deleted");
        await Eventually.HoldsAsync(async () =>
            await Redis.SubscriberCountAsync(Channels.Responses(sessionId)) == 0,
            "the response subscription is gone");
    }

    [Fact]
    public async Task Reply_parts_published_for_the_session_reach_the_device_in_order_and_their_keys_are_deleted()
    {
        await using var device = await Gateway.ConnectDeviceAsync("child-3");
        await Redis.WaitForSubscribersAsync(Channels.Responses(device.SessionId), 1);
        var first = TestAudio.Utterance(TimeSpan.FromSeconds(0.5), 300);
        var second = TestAudio.Utterance(TimeSpan.FromSeconds(0.3), 500);
        var keys = new List<string>();
        await PublishAsync(device.SessionId, SessionEvent.Transcript("t1", "hello tutor"));
        foreach (var (audio, text, sequence) in new[] { (first, "Hello!", 0), (second, "How are you?", 1) })
        {
            var key = RedisKeys.NewReplyAudio(device.SessionId);
            keys.Add(key);
            await Redis.Database.StringSetAsync(key, audio, RedisKeys.AudioLifetime);
            await PublishAsync(device.SessionId, SessionEvent.AudioResponse("t1", sequence, key, text, null));
        }
        await PublishAsync(device.SessionId, SessionEvent.ReplyEnd("t1"));

        using var timeout = new CancellationTokenSource(Timeout);
        var reply = await device.ListenForReplyAsync(timeout.Token);

        Assert.Equal("hello tutor", reply.Heard);
        Assert.Equal(["Hello!", "How are you?"], reply.Sentences);
        Assert.Equal(first.Concat(second).ToArray(), reply.Audio.ToArray());
        foreach (var key in keys) Assert.False(await Redis.Database.KeyExistsAsync(key), $"{key} is deleted after delivery");
    }

    [Fact]
    public async Task A_reply_part_published_again_by_a_replacement_worker_is_heard_once()
    {
        await using var device = await Gateway.ConnectDeviceAsync("child-twice");
        await Redis.WaitForSubscribersAsync(Channels.Responses(device.SessionId), 1);
        var audio = TestAudio.Utterance(TimeSpan.FromSeconds(0.3), 400);
        var keys = new List<string>();
        for (var worker = 0; worker < 2; worker++)
        {
            var key = RedisKeys.NewReplyAudio(device.SessionId);
            keys.Add(key);
            await Redis.Database.StringSetAsync(key, audio, RedisKeys.AudioLifetime);
            await PublishAsync(device.SessionId, SessionEvent.Transcript("t1", "hello"));
            await PublishAsync(device.SessionId, SessionEvent.AudioResponse("t1", 0, key, "Hello!", null));
        }
        await PublishAsync(device.SessionId, SessionEvent.ReplyEnd("t1"));

        using var timeout = new CancellationTokenSource(Timeout);
        var reply = await device.ListenForReplyAsync(timeout.Token);

        Assert.Equal(["Hello!"], reply.Sentences);
        Assert.Equal(audio, reply.Audio.ToArray());
        Assert.Single(reply.Messages, m => m.Type == DeviceMessageTypes.Stt);
        foreach (var key in keys) Assert.False(await Redis.Database.KeyExistsAsync(key), "both copies are deleted");
    }

    [Fact]
    public async Task A_reply_key_of_another_session_is_never_delivered()
    {
        await using var victim = await Gateway.ConnectDeviceAsync("child-4");
        await using var other = await Gateway.ConnectDeviceAsync("child-5");
        await Redis.WaitForSubscribersAsync(Channels.Responses(other.SessionId), 1);
        var victimsKey = RedisKeys.NewReplyAudio(victim.SessionId);
        await Redis.Database.StringSetAsync(victimsKey, TestAudio.Utterance(TimeSpan.FromSeconds(0.2)), RedisKeys.AudioLifetime);

        await PublishAsync(other.SessionId, SessionEvent.AudioResponse("t1", 0, victimsKey, "stolen", null));
        var ownKey = RedisKeys.NewReplyAudio(other.SessionId);
        var own = TestAudio.Utterance(TimeSpan.FromSeconds(0.2), 600);
        await Redis.Database.StringSetAsync(ownKey, own, RedisKeys.AudioLifetime);
        await PublishAsync(other.SessionId, SessionEvent.AudioResponse("t1", 1, ownKey, "mine", null));
        await PublishAsync(other.SessionId, SessionEvent.ReplyEnd("t1"));

        using var timeout = new CancellationTokenSource(Timeout);
        var reply = await other.ListenForReplyAsync(timeout.Token);
        Assert.Equal(["mine"], reply.Sentences);
        Assert.Equal(own, reply.Audio.ToArray());
        Assert.True(await Redis.Database.KeyExistsAsync(victimsKey), "the other session's audio is left alone");
    }

    [Fact]
    public async Task Malformed_json_and_unknown_types_get_an_error_frame_and_the_session_goes_on()
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await using var device = await Gateway.ConnectDeviceAsync("child-6");
        using var timeout = new CancellationTokenSource(Timeout);

        await device.Socket.SendAsync(Encoding.UTF8.GetBytes("{not json"), WebSocketMessageType.Text, true, timeout.Token);
        Assert.Equal(DeviceErrorCodes.InvalidJson, (await NextMessageAsync(device, timeout.Token)).Code);

        await device.SendAsync(new DeviceMessage("dance"), timeout.Token);
        Assert.Equal(DeviceErrorCodes.UnknownType, (await NextMessageAsync(device, timeout.Token)).Code);

        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromSeconds(0.5)), timeout.Token);
        await announcements.WaitForAsync(m => m.Count == 1, Timeout);
        Assert.Equal(WebSocketState.Open, device.Socket.State);
    }

    [Fact]
    public async Task An_oversized_frame_gets_an_error_and_a_1009_close()
    {
        await using var device = await Gateway.ConnectDeviceAsync("child-7");
        using var timeout = new CancellationTokenSource(Timeout);

        await device.Socket.SendAsync(new byte[8193], WebSocketMessageType.Binary, true, timeout.Token);

        Assert.Equal(DeviceErrorCodes.FrameTooLarge, (await NextMessageAsync(device, timeout.Token)).Code);
        Assert.Null(await device.ReceiveAsync(timeout.Token));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, device.CloseStatus);
        await Eventually.HoldsAsync(async () => (await Redis.KeysAsync("session:*")).Count == 0, "the session is closed");
    }

    [Fact]
    public async Task An_utterance_longer_than_the_limit_is_cut_and_every_piece_is_announced()
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await using var device = await Gateway.ConnectDeviceAsync("child-8");
        var pcm = TestAudio.Utterance(TimeSpan.FromSeconds(5));

        await device.SpeakAsync(pcm, CancellationToken.None);

        var announced = await announcements.WaitForAsync(m => m.Count == 3, Timeout);
        var pieces = new List<byte[]>();
        foreach (var message in announced)
        {
            var key = TutorJson.TryDeserialize<UtteranceAnnouncement>(message.Message)!.AudioKey;
            pieces.Add((byte[])(await Redis.Database.StringGetAsync(key))!);
        }
        Assert.Equal([TestAudio.BytesFor(TimeSpan.FromSeconds(2)), TestAudio.BytesFor(TimeSpan.FromSeconds(2)), TestAudio.BytesFor(TimeSpan.FromSeconds(1))],
            pieces.Select(p => p.Length));
        Assert.Equal(pcm, pieces.SelectMany(p => p).ToArray());
    }

    [Fact]
    public async Task WithoutRedis_a_device_gets_503_before_the_upgrade_and_theGateway_lives_on()
    {
        // A running gateway has its Redis connection already; the outage comes afterwards.
        await using (await Gateway.ConnectDeviceAsync("child-before-outage"))
        {
        }
        await Redis.KillAsync();
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {Gateway.Families.Child("child-9")}");
        var uri = new Uri(new UriBuilder(Gateway.BaseAddress) { Scheme = "ws" }.Uri, "/ws/child-9");

        var error = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None));
        Assert.Contains("503", error.Message);
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);
    }

    private Task PublishAsync(string sessionId, SessionEvent sessionEvent) =>
        Redis.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(Channels.Responses(sessionId)), TutorJson.Serialize(sessionEvent));

    private static async Task<DeviceMessage> NextMessageAsync(DeviceClient device, CancellationToken cancellationToken)
    {
        var frame = await device.ReceiveAsync(cancellationToken);
        Assert.NotNull(frame?.Text);
        return TutorJson.TryDeserialize<DeviceMessage>(frame.Text)!;
    }
}
