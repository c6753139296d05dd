using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Device;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>docs/device-protocol.md, line by line, against the real gateway and Redis; the test plays the worker's part.</summary>
public sealed class DeviceProtocolTests() : GatewayTestBed
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    [Fact]
    public async Task The_server_answers_hello_with_the_session_and_the_audio_it_will_send()
    {
        await using var device = await Gateway.ConnectDeviceAsync("child-hello", new DeviceProfile(AudioParams.Opus, 40));

        Assert.Equal(new AudioParams(AudioParams.Opus, 16000, 1, 40), device.Downlink);
        var record = await Redis.Database.HashGetAsync(RedisKeys.Session(device.SessionId), SessionFields.UserId);
        Assert.Equal("child-hello", record.ToString());
    }

    [Fact]
    public async Task A_plain_device_that_never_says_hello_or_listen_is_heard_by_voice_activity()
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await using var device = await Gateway.ConnectDeviceAsync("child-plain", DeviceProfile.Plain);
        var speech = await TestSpeech.SayAsync("good morning teacher");

        await device.SpeakAsync(TestSpeech.Concat(speech, TestSpeech.Silence(TimeSpan.FromSeconds(1.5))), TurnTaking.Plain, realTime: false, CancellationToken.None);

        var announced = TutorJson.TryDeserialize<UtteranceAnnouncement>(Assert.Single(await announcements.WaitForAsync(m => m.Count == 1, Timeout)).Message)!;
        var stored = (byte[])(await Redis.Database.StringGetAsync(announced.AudioKey))!;
        Assert.InRange(stored.Length, speech.Length / 2, speech.Length + TestAudio.BytesFor(TimeSpan.FromSeconds(0.7)));
    }

    [Fact]
    public async Task Xiaozhis_wake_word_notice_and_realtime_mode_are_accepted()
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await using var device = await Gateway.ConnectDeviceAsync("child-xiaozhi", DeviceProfile.Opus);
        var speech = await TestSpeech.SayAsync("what is the weather today");

        await device.SendAsync(new DeviceMessage(DeviceMessageTypes.Listen, State: ListenStates.Detect, Text: "hi tutor", SessionId: device.SessionId), CancellationToken.None);
        await device.SendAsync(DeviceMessage.Listen(ListenStates.Start, ListenModes.Realtime), CancellationToken.None);
        await device.StreamAsync(TestSpeech.Concat(speech, TestSpeech.Silence(TimeSpan.FromSeconds(1.5))), realTime: false, CancellationToken.None);

        await announcements.WaitForAsync(m => m.Count == 1, Timeout);
        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => device.ReceiveAsync(quiet.Token)); // no error frame came
    }

    [Fact]
    public async Task Opus_and_pcm16_uplinks_store_the_same_utterance()
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await using var pcmDevice = await Gateway.ConnectDeviceAsync("child-pcm", DeviceProfile.Pcm16);
        await using var opusDevice = await Gateway.ConnectDeviceAsync("child-opus", DeviceProfile.Opus);
        var speech = await TestSpeech.SayAsync("the cat is on the table");

        await pcmDevice.SpeakAsync(speech, CancellationToken.None);
        await opusDevice.SpeakAsync(speech, CancellationToken.None);

        var announced = await announcements.WaitForAsync(m => m.Count == 2, Timeout);
        var stored = new Dictionary<string, byte[]>();
        foreach (var message in announced)
        {
            var announcement = TutorJson.TryDeserialize<UtteranceAnnouncement>(message.Message)!;
            stored[announcement.SessionId] = (byte[])(await Redis.Database.StringGetAsync(announcement.AudioKey))!;
        }
        var fromPcm = stored[pcmDevice.SessionId];
        var fromOpus = stored[opusDevice.SessionId];
        Assert.Equal(speech, fromPcm);
        var frame = TestAudio.BytesFor(TimeSpan.FromMilliseconds(60));
        Assert.InRange(fromOpus.Length, fromPcm.Length, fromPcm.Length + frame); // the last Opus frame is padded
        var similarity = AudioSimilarity.EnvelopeCorrelation(fromPcm, fromOpus);
        Assert.True(similarity > 0.9, $"the Opus uplink carries the same speech (envelope correlation {similarity:0.000})");
    }

    [Theory]
    [InlineData(AudioParams.Pcm16)]
    [InlineData(AudioParams.Opus)]
    public async Task A_reply_arrives_in_the_devices_format_in_small_frames_paced_near_real_time(string format)
    {
        await using var device = await Gateway.ConnectDeviceAsync($"child-{format}", new DeviceProfile(format));
        var speech = await TestSpeech.SayAsync("this is the tutor speaking to you, slowly and clearly");
        var reply = TestSpeech.Concat(speech, TestSpeech.Silence(TimeSpan.FromSeconds(3)))[..TestAudio.BytesFor(TimeSpan.FromSeconds(2.4))];
        await Redis.WaitForSubscribersAsync(Channels.Responses(device.SessionId), 1);

        await PublishReplyAsync(device.SessionId, "turn-1", ("Here is a long sentence.", reply));
        using var timeout = new CancellationTokenSource(Timeout);
        var heard = await device.ListenForReplyAsync(timeout.Token);

        Assert.Equal([DeviceMessageTypes.Tts, DeviceMessageTypes.Tts, DeviceMessageTypes.Tts], heard.Messages.Select(m => m.Type));
        Assert.Equal([TtsStates.Start, TtsStates.SentenceStart, TtsStates.Stop], heard.Messages.Select(m => m.State));
        Assert.Equal(40, heard.AudioFrames.Count); // 2.4 s in 60 ms frames
        Assert.All(heard.AudioFrames, f => Assert.True(f.Bytes <= 1920, "a frame fits an ESP32's buffers"));
        Assert.Equal(reply.Length, heard.Audio.Length);
        if (format == AudioParams.Pcm16) Assert.Equal(reply, heard.Audio.ToArray());
        else Assert.True(AudioSimilarity.EnvelopeCorrelation(reply, heard.Audio.ToArray()) > 0.9, "the Opus downlink decodes to the reply");

        // Paced: 300 ms ahead of real time, not the whole reply at once.
        var spread = Stopwatch.GetElapsedTime(heard.AudioFrames[0].At, heard.AudioFrames[^1].At);
        Assert.InRange(spread.TotalSeconds, 2.4 - 0.3 - 0.06 - 0.15, 2.4 + 0.5);
    }

    [Fact]
    public async Task Abort_stops_the_reply_at_once_tells_the_workers_and_nothing_of_that_turn_arrives_later()
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await using var aborts = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.TurnAborts));
        await using var device = await Gateway.ConnectDeviceAsync("child-abort");
        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromSeconds(0.5)), CancellationToken.None);
        var turnId = RedisKeys.TurnIdOf(TutorJson.TryDeserialize<UtteranceAnnouncement>((await announcements.WaitForAsync(m => m.Count == 1, Timeout))[0].Message)!.AudioKey);
        await PublishReplyAsync(device.SessionId, turnId, ("One.", TestAudio.Utterance(TimeSpan.FromSeconds(3))), ("Two.", TestAudio.Utterance(TimeSpan.FromSeconds(3))));

        using var timeout = new CancellationTokenSource(Timeout);
        var framesAtAbort = 0;
        long abortedAt = 0;
        var heard = await device.ListenForReplyAsync(timeout.Token, async reply =>
        {
            if (abortedAt != 0 || reply.AudioFrames.Count < 8) return;
            framesAtAbort = reply.AudioFrames.Count;
            abortedAt = Stopwatch.GetTimestamp();
            await device.AbortAsync(timeout.Token);
        });

        var stoppedAfter = Stopwatch.GetElapsedTime(abortedAt, heard.StoppedAt!.Value);
        Assert.True(heard.AudioFrames.Count - framesAtAbort <= 1, $"{heard.AudioFrames.Count - framesAtAbort} frames arrived after the abort");
        Assert.True(stoppedAfter < TimeSpan.FromMilliseconds(60 + 100), $"tts stop came {stoppedAfter.TotalMilliseconds:0} ms after the abort");
        Assert.Equal(["One."], heard.Sentences);
        var abort = TutorJson.TryDeserialize<TurnAbort>(Assert.Single(await aborts.WaitForAsync(m => m.Count == 1, Timeout)).Message)!;
        Assert.Equal((device.SessionId, turnId), (abort.SessionId, abort.TurnId));

        // A worker that has not heard of the abort yet publishes more of the turn: it never reaches the device.
        var lateKey = await PublishReplyAsync(device.SessionId, turnId, ("Three.", TestAudio.Utterance(TimeSpan.FromSeconds(1))));
        await PublishReplyAsync(device.SessionId, "next-turn", ("Next.", TestAudio.Utterance(TimeSpan.FromSeconds(0.3))));
        var next = await device.ListenForReplyAsync(timeout.Token);
        Assert.Equal(["Next."], next.Sentences);
        Assert.Equal(TestAudio.BytesFor(TimeSpan.FromSeconds(0.3)), next.Audio.Length);
        Assert.False(await Redis.Database.KeyExistsAsync(lateKey[0]), "the aborted turn's audio is deleted unheard");
    }

    [Fact]
    public async Task Abort_between_two_parts_of_a_streamed_reply_still_stops_it_at_once()
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await using var device = await Gateway.ConnectDeviceAsync("child-abort-between");
        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromSeconds(0.5)), CancellationToken.None);
        var turnId = RedisKeys.TurnIdOf(TutorJson.TryDeserialize<UtteranceAnnouncement>((await announcements.WaitForAsync(m => m.Count == 1, Timeout))[0].Message)!.AudioKey);
        // The first 120 ms of a sentence whose speech is still being made: the player sends it and waits for more.
        var key = RedisKeys.NewReplyAudio(device.SessionId);
        await Redis.Database.StringSetAsync(key, TestAudio.Utterance(TimeSpan.FromMilliseconds(120)), RedisKeys.AudioLifetime);
        await Redis.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(Channels.Responses(device.SessionId)),
            TutorJson.Serialize(SessionEvent.AudioResponse(turnId, 0, key, "One.", null)));

        using var timeout = new CancellationTokenSource(Timeout);
        long abortedAt = 0;
        var heard = await device.ListenForReplyAsync(timeout.Token, async reply =>
        {
            if (abortedAt != 0 || reply.AudioFrames.Count < 2) return;
            await Task.Delay(300, timeout.Token); // the part has been played; nothing is being sent now
            abortedAt = Stopwatch.GetTimestamp();
            await device.AbortAsync(timeout.Token);
        });

        var stoppedAfter = Stopwatch.GetElapsedTime(abortedAt, heard.StoppedAt!.Value);
        Assert.True(stoppedAfter < TimeSpan.FromMilliseconds(160), $"tts stop came {stoppedAfter.TotalMilliseconds:0} ms after the abort");
        Assert.Equal(2, heard.AudioFrames.Count);
    }

    public static TheoryData<string, string, WebSocketCloseStatus?> BadInputs => new()
    {
        { "invalid_json", DeviceErrorCodes.InvalidJson, null },
        { "unknown_type", DeviceErrorCodes.UnknownType, null },
        { "unknown_listen_state", DeviceErrorCodes.UnknownType, null },
        { "hello_after_audio", DeviceErrorCodes.UnexpectedHello, null },
        { "odd_pcm_frame", DeviceErrorCodes.BadAudio, null },
        { "garbage_opus_frame", DeviceErrorCodes.BadAudio, null },
        { "unsupported_sample_rate", DeviceErrorCodes.UnsupportedAudio, WebSocketCloseStatus.InvalidPayloadData },
        { "unsupported_format", DeviceErrorCodes.UnsupportedAudio, WebSocketCloseStatus.InvalidPayloadData },
        { "oversized_frame", DeviceErrorCodes.FrameTooLarge, WebSocketCloseStatus.MessageTooBig },
        { "flood", DeviceErrorCodes.RateLimited, WebSocketCloseStatus.PolicyViolation },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_gets_its_error_and_close_code_and_other_devices_are_unharmed(string input, string code, WebSocketCloseStatus? close)
    {
        await using var announcements = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.AudioProcessing));
        await using var bystander = await Gateway.ConnectDeviceAsync("child-bystander");
        var profile = input is "garbage_opus_frame" ? DeviceProfile.Opus : input.StartsWith("unsupported") ? DeviceProfile.Plain : DeviceProfile.Pcm16;
        await using var device = await Gateway.ConnectDeviceAsync("child-bad", profile);
        using var timeout = new CancellationTokenSource(Timeout);

        await SendBadInputAsync(device, input, timeout.Token);

        var error = await device.NextMessageAsync(timeout.Token);
        Assert.Equal((DeviceMessageTypes.Error, code), (error.Type, error.Code));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        if (close is { } status)
        {
            Assert.Null(await device.ReceiveAsync(timeout.Token));
            Assert.Equal(status, device.CloseStatus);
        }
        else
        {
            // The session goes on: its next utterance is taken as usual.
            await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromSeconds(0.3)), timeout.Token);
        }

        await bystander.SpeakAsync(TestAudio.Utterance(TimeSpan.FromSeconds(0.3)), timeout.Token);
        var expected = close is null ? 2 : 1;
        var announced = await announcements.WaitForAsync(m => m.Count(a => a.Message.Contains(bystander.SessionId)) == 1 && m.Count == expected, Timeout);
        Assert.Equal(expected, announced.Count);
    }

    private static async Task SendBadInputAsync(DeviceClient device, string input, CancellationToken cancellationToken)
    {
        Task Text(string json) => device.Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, cancellationToken);
        Task Binary(byte[] bytes) => device.Socket.SendAsync(bytes, WebSocketMessageType.Binary, true, cancellationToken);
        switch (input)
        {
            case "invalid_json": await Text("{\"type\": \"listen\", "); break;
            case "unknown_type": await Text("""{"type":"dance"}"""); break;
            case "unknown_listen_state": await Text("""{"type":"listen","state":"sideways"}"""); break;
            case "hello_after_audio":
                await device.SendAsync(DeviceMessage.Listen(ListenStates.Start, ListenModes.Manual), cancellationToken);
                await Binary(new byte[640]);
                await device.SendAsync(DeviceMessage.DeviceHello(AudioParams.OpusMono16k), cancellationToken);
                break;
            case "odd_pcm_frame": await Binary(new byte[641]); break;
            case "garbage_opus_frame": await Binary(Enumerable.Repeat((byte)0xFF, 300).ToArray()); break;
            case "unsupported_sample_rate": await device.SendAsync(DeviceMessage.DeviceHello(new AudioParams(AudioParams.Opus, 8000, 1, 60)), cancellationToken); break;
            case "unsupported_format": await device.SendAsync(DeviceMessage.DeviceHello(new AudioParams("mp3", 16000, 1, 60)), cancellationToken); break;
            case "oversized_frame": await Binary(new byte[16 * 1024 + 1]); break;
            case "flood":
                for (var i = 0; i < 400 && device.Socket.State == WebSocketState.Open; i++) await Binary(new byte[64]);
                break;
        }
    }

    /// <summary>Stores reply parts and publishes them as a worker does; returns their keys.</summary>
    private async Task<List<string>> PublishReplyAsync(string sessionId, string turnId, params (string Text, byte[] Audio)[] parts)
    {
        var keys = new List<string>();
        var publisher = Redis.Connection.GetSubscriber();
        for (var i = 0; i < parts.Length; i++)
        {
            var key = RedisKeys.NewReplyAudio(sessionId);
            keys.Add(key);
            await Redis.Database.StringSetAsync(key, parts[i].Audio, RedisKeys.AudioLifetime);
            await publisher.PublishAsync(RedisChannel.Literal(Channels.Responses(sessionId)),
                TutorJson.Serialize(SessionEvent.AudioResponse(turnId, i, key, parts[i].Text, null)));
        }
        await publisher.PublishAsync(RedisChannel.Literal(Channels.Responses(sessionId)), TutorJson.Serialize(SessionEvent.ReplyEnd(turnId)));
        return keys;
    }
}
