using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Device;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>
/// Nothing waits in silence, nothing published is lost to a missed message, and a session outlives the loss of its
/// record: a turn no worker answers ends with <c>turn_timeout</c>; a reply whose pub/sub message was lost is read from the
/// session's reply stream; a session record that disappeared (Redis restarted empty) is written again.
/// </summary>
public sealed class GatewayResilienceTests() : GatewayTestBed(new Dictionary<string, string>
{
    ["Sessions:TurnDeadline"] = "00:00:03",
    ["Sessions:RecordLifetime"] = "00:00:06",
    ["Sessions:RefreshInterval"] = "00:00:01",
})
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_turn_no_worker_answers_ends_with_turn_timeout_and_the_workers_are_told_to_drop_it()
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await using var aborts = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.TurnAborts));
        await using var device = await Gateway.ConnectDeviceAsync("child-unanswered");
        using var timeout = new CancellationTokenSource(Timeout);

        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromSeconds(0.5)), timeout.Token);
        var spoke = DateTime.UtcNow;
        var reply = await device.ListenForReplyAsync(timeout.Token); // no worker runs

        Assert.Equal(DeviceErrorCodes.TurnTimeout, reply.Error?.Code);
        Assert.InRange(DateTime.UtcNow - spoke, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(6));
        var turnId = RedisKeys.TurnIdOf(TutorJson.TryDeserialize<UtteranceAnnouncement>(Assert.Single(announcements.Messages).Message)!.AudioKey);
        var abort = TutorJson.TryDeserialize<TurnAbort>(Assert.Single(await aborts.WaitForAsync(m => m.Count == 1, Timeout)).Message)!;
        Assert.Equal((device.SessionId, turnId), (abort.SessionId, abort.TurnId));
    }

    [Fact]
    public async Task A_turn_whose_worker_keeps_talking_is_not_timed_out()
    {
        await using var device = await Gateway.ConnectDeviceAsync("child-patient");
        using var timeout = new CancellationTokenSource(Timeout);
        var turnId = await SpeakAsync(device, timeout.Token);
        var responses = RedisChannel.Literal(Channels.Responses(device.SessionId));
        var listening = device.ListenForReplyAsync(timeout.Token);

        // A slow turn: a word from the worker every second, 6 s in all — twice the deadline, never silent for that long.
        await Task.Delay(1000);
        await Redis.Connection.GetSubscriber().PublishAsync(responses, TutorJson.Serialize(SessionEvent.Transcript(turnId, "hello")));
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(1000);
            var key = RedisKeys.NewReplyAudio(device.SessionId);
            await Redis.Database.StringSetAsync(key, TestAudio.Utterance(TimeSpan.FromMilliseconds(120)), RedisKeys.AudioLifetime);
            await Redis.Connection.GetSubscriber().PublishAsync(responses, TutorJson.Serialize(SessionEvent.AudioResponse(turnId, i, key, i == 0 ? "Hi." : null, null)));
        }
        await Redis.Connection.GetSubscriber().PublishAsync(responses, TutorJson.Serialize(SessionEvent.ReplyEnd(turnId)));

        var reply = await listening;
        Assert.Null(reply.Error);
        Assert.Equal(["Hi."], reply.Sentences);
    }

    [Fact]
    public async Task A_reply_whose_messages_were_lost_is_read_from_the_reply_stream_once()
    {
        await using var device = await Gateway.ConnectDeviceAsync("child-missed");
        using var timeout = new CancellationTokenSource(Timeout);
        var turnId = await SpeakAsync(device, timeout.Token);
        var stream = RedisKeys.ReplyStream(device.SessionId);
        var key = RedisKeys.NewReplyAudio(device.SessionId);
        await Redis.Database.StringSetAsync(key, TestAudio.Utterance(TimeSpan.FromMilliseconds(240)), RedisKeys.AudioLifetime);

        // A worker kept the whole reply in the stream, but its messages on responses:{session} were lost (the gateway
        // was resubscribing) — all but the last, which names the last entry.
        await Redis.Database.StreamAddAsync(stream, RedisKeys.ReplyStreamField, TutorJson.Serialize(SessionEvent.Transcript(turnId, "hello")));
        await Redis.Database.StreamAddAsync(stream, RedisKeys.ReplyStreamField, TutorJson.Serialize(SessionEvent.AudioResponse(turnId, 0, key, "Hi there.", null)));
        var last = await Redis.Database.StreamAddAsync(stream, RedisKeys.ReplyStreamField, TutorJson.Serialize(SessionEvent.ReplyEnd(turnId)));
        var started = DateTime.UtcNow;
        var reply = await device.ListenForReplyAsync(timeout.Token);

        Assert.Null(reply.Error);
        Assert.Equal("hello", reply.Heard);
        Assert.Equal(["Hi there."], reply.Sentences);
        Assert.Equal(TestAudio.BytesFor(TimeSpan.FromMilliseconds(240)), reply.Audio.Length);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2.5), "read at the relay's one-second look at the stream, before any deadline");

        // The late message for the last entry changes nothing: each event reaches the device once.
        await Redis.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(Channels.Responses(device.SessionId)),
            TutorJson.Serialize(SessionEvent.ReplyEnd(turnId) with { StreamId = last.ToString() }));
        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => device.ReceiveAsync(quiet.Token));
    }

    [Fact]
    public async Task Nothing_of_a_turn_is_played_after_its_end_even_from_a_worker_that_ran_it_again()
    {
        await using var device = await Gateway.ConnectDeviceAsync("child-once");
        using var timeout = new CancellationTokenSource(Timeout);
        var turnId = await SpeakAsync(device, timeout.Token);
        await PublishAsync(device.SessionId, turnId, 0, "First answer.", end: true);
        var first = await device.ListenForReplyAsync(timeout.Token);
        Assert.Equal(["First answer."], first.Sentences);

        // A second worker ran the same turn again and says more of it (parts the first never had), then a new turn comes.
        await PublishAsync(device.SessionId, turnId, 1, "Said again.", end: true);
        await PublishAsync(device.SessionId, "next-turn", 0, "Next.", end: true);
        var next = await device.ListenForReplyAsync(timeout.Token);

        Assert.Equal(["Next."], next.Sentences);
        Assert.Equal(TestAudio.BytesFor(TimeSpan.FromMilliseconds(120)), next.Audio.Length);
    }

    private async Task PublishAsync(string sessionId, string turnId, int sequence, string text, bool end)
    {
        var key = RedisKeys.NewReplyAudio(sessionId);
        await Redis.Database.StringSetAsync(key, TestAudio.Utterance(TimeSpan.FromMilliseconds(120)), RedisKeys.AudioLifetime);
        var responses = RedisChannel.Literal(Channels.Responses(sessionId));
        await Redis.Connection.GetSubscriber().PublishAsync(responses, TutorJson.Serialize(SessionEvent.AudioResponse(turnId, sequence, key, text, null)));
        if (end) await Redis.Connection.GetSubscriber().PublishAsync(responses, TutorJson.Serialize(SessionEvent.ReplyEnd(turnId)));
    }

    [Fact]
    public async Task A_gateway_that_stops_tells_its_devices_to_reconnect()
    {
        var stopping = new GatewayHost(Redis, families: Gateway.Families);
        await using var device = await stopping.ConnectDeviceAsync("child-moving");
        using var timeout = new CancellationTokenSource(Timeout);

        var stopped = Task.Run(async () => await stopping.DisposeAsync());

        Assert.Null(await device.ReceiveAsync(timeout.Token));
        Assert.Equal((System.Net.WebSockets.WebSocketCloseStatus)1012, device.CloseStatus);
        Assert.Equal("server restarting; reconnect", device.Socket.CloseStatusDescription);
        await device.Socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        await stopped.WaitAsync(timeout.Token);
        // The device reconnects to a gateway that is up, as the close asks.
        await using var again = await Gateway.ConnectDeviceAsync("child-moving");
        Assert.NotEqual(device.SessionId, again.SessionId);
    }

    [Fact]
    public async Task A_device_that_reconnects_after_its_gateway_stopped_resumes_its_session_and_hears_the_rest_of_the_reply_once()
    {
        var stopping = new GatewayHost(Redis, families: Gateway.Families);
        using var timeout = new CancellationTokenSource(Timeout);
        var device = await stopping.ConnectDeviceAsync("child-resuming", cancellationToken: timeout.Token);
        var turnId = await SpeakAsync(device, timeout.Token);
        await PublishLikeAWorkerAsync(device.SessionId, SessionEvent.Transcript(turnId, "hello"));
        await PublishLikeAWorkerAsync(device.SessionId, await PartAsync(device.SessionId, turnId, 0, "One."));
        var frames = 0;
        while (frames < 2) if ((await device.ReceiveAsync(timeout.Token))!.Audio is not null) frames++;

        // The gateway stops mid-reply; the worker goes on and finishes the reply meanwhile.
        var stopped = Task.Run(async () => await stopping.DisposeAsync());
        while (await device.ReceiveAsync(timeout.Token) is not null) { }
        Assert.Equal((System.Net.WebSockets.WebSocketCloseStatus)1012, device.CloseStatus);
        await device.Socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        await stopped.WaitAsync(timeout.Token);
        await PublishLikeAWorkerAsync(device.SessionId, await PartAsync(device.SessionId, turnId, 1, "Two."));
        await PublishLikeAWorkerAsync(device.SessionId, SessionEvent.ReplyEnd(turnId));

        await using var again = await DeviceClient.ConnectAsync(Gateway.BaseAddress, "child-resuming", Gateway.Families.Child("child-resuming"),
            DeviceProfile.Pcm16, timeout.Token, resumeSessionId: device.SessionId);
        var rest = await again.ListenForReplyAsync(timeout.Token);

        Assert.Equal(device.SessionId, again.SessionId);
        Assert.Null(rest.Error);
        Assert.Null(rest.Heard); // heard before, not again
        Assert.Equal(["Two."], rest.Sentences);
        Assert.Equal(TestAudio.BytesFor(TimeSpan.FromMilliseconds(120)), rest.Audio.Length);
        await device.DisposeAsync();
    }

    [Fact]
    public async Task Another_childs_session_cannot_be_resumed()
    {
        await using var victim = await Gateway.ConnectDeviceAsync("child-victim");
        using var timeout = new CancellationTokenSource(Timeout);

        await using var intruder = await DeviceClient.ConnectAsync(Gateway.BaseAddress, "child-intruder", Gateway.Families.Child("child-intruder"),
            DeviceProfile.Pcm16, timeout.Token, resumeSessionId: victim.SessionId);

        Assert.NotEqual(victim.SessionId, intruder.SessionId);
        Assert.Equal("child-victim", (string?)await Redis.Database.HashGetAsync(RedisKeys.Session(victim.SessionId), SessionFields.UserId));
    }

    /// <summary>The device says something; returns the turn the gateway announced for it.</summary>
    private async Task<string> SpeakAsync(DeviceClient device, CancellationToken cancellationToken)
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromSeconds(0.5)), cancellationToken);
        var announced = (await announcements.WaitForAsync(m => m.Count == 1, Timeout))[0].Message;
        return RedisKeys.TurnIdOf(TutorJson.TryDeserialize<UtteranceAnnouncement>(announced)!.AudioKey);
    }

    private async Task<SessionEvent> PartAsync(string sessionId, string turnId, int sequence, string text)
    {
        var key = RedisKeys.NewReplyAudio(sessionId);
        await Redis.Database.StringSetAsync(key, TestAudio.Utterance(TimeSpan.FromMilliseconds(120)), RedisKeys.AudioLifetime);
        return SessionEvent.AudioResponse(turnId, sequence, key, text, null);
    }

    /// <summary>As a worker publishes: the event kept in the session's reply stream, then announced naming its entry.</summary>
    private async Task PublishLikeAWorkerAsync(string sessionId, SessionEvent sessionEvent)
    {
        var id = await Redis.Database.StreamAddAsync(RedisKeys.ReplyStream(sessionId), RedisKeys.ReplyStreamField, TutorJson.Serialize(sessionEvent));
        await Redis.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(Channels.Responses(sessionId)),
            TutorJson.Serialize(sessionEvent with { StreamId = id.ToString() }));
    }

    [Fact]
    public async Task A_session_record_that_disappeared_is_written_again_while_the_device_stays()
    {
        await using var device = await Gateway.ConnectDeviceAsync("child-restarted");
        var key = RedisKeys.Session(device.SessionId);
        Assert.True(await Redis.Database.KeyExistsAsync(key));

        await Redis.Database.KeyDeleteAsync(key); // as a Redis that restarted without its data

        await Eventually.HoldsAsync(() => Redis.Database.KeyExistsAsync(key), "the record is back", TimeSpan.FromSeconds(5));
        Assert.Equal("child-restarted", (string?)await Redis.Database.HashGetAsync(key, SessionFields.UserId));
        Assert.Equal(16000, (int)await Redis.Database.HashGetAsync(key, SessionFields.SampleRate));
        Assert.False((await Redis.Database.HashGetAsync(key, SessionFields.Profile)).IsNullOrEmpty);
        Assert.InRange((await Redis.Database.KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6));
    }
}
