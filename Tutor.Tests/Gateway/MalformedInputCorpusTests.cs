using System.Net.WebSockets;
using System.Text;
using Tutor.Contracts.Devices;
using Tutor.Device;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>
/// A few hundred generated malformed frames and handshakes against a live gateway with a worker: each is answered with
/// the error (and, where the protocol says so, the close) docs/device-protocol.md lists for it, within a moment, and a
/// normal push-to-talk turn on a fresh connection works after every burst.
/// </summary>
public sealed class MalformedInputCorpusTests() : TurnTestBed
{
    private const int Bursts = 10;
    private const int FramesPerBurst = 30;
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Every_malformed_frame_gets_its_documented_error_and_a_normal_turn_works_after_each_burst()
    {
        var random = new Random(20261201);
        var answered = 0;
        for (var burst = 0; burst < Bursts; burst++)
        {
            await using (var device = await Gateway.ConnectDeviceAsync("corpus-child"))
            {
                for (var i = 0; i < FramesPerBurst; i++)
                {
                    var (frame, binary, code) = MalformedFrame(random);
                    using var timeout = new CancellationTokenSource(Answer);
                    await device.Socket.SendAsync(frame, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, timeout.Token);
                    var error = await device.NextMessageAsync(timeout.Token, $"burst {burst} frame {i} ({Describe(frame, binary)})");
                    Assert.True((DeviceMessageTypes.Error, code) == (error.Type, error.Code),
                        $"burst {burst} frame {i} ({Describe(frame, binary)}): expected {code}, got {error.Type} {error.Code}");
                    answered++;
                }
            }
            await AssertANormalTurnWorksAsync($"after burst {burst}");
        }

        Assert.Equal(Bursts * FramesPerBurst, answered);
    }

    [Theory]
    [InlineData("oversized", WebSocketCloseStatus.MessageTooBig, DeviceErrorCodes.FrameTooLarge)]
    [InlineData("unsupported_hello", WebSocketCloseStatus.InvalidPayloadData, DeviceErrorCodes.UnsupportedAudio)]
    [InlineData("unknown_transport", WebSocketCloseStatus.InvalidPayloadData, DeviceErrorCodes.UnsupportedAudio)]
    [InlineData("not_utf8", WebSocketCloseStatus.InvalidPayloadData, null)]
    public async Task Frames_the_protocol_closes_on_get_their_error_and_close_code_then_the_device_reconnects_and_talks(
        string input, WebSocketCloseStatus close, string? code)
    {
        for (var round = 0; round < 3; round++)
        {
            await using var device = await Gateway.ConnectDeviceAsync("closing-child", DeviceProfile.Plain);
            using var timeout = new CancellationTokenSource(Answer);
            var frame = input switch
            {
                "oversized" => new byte[16 * 1024 + 1 + round],
                "not_utf8" => [(byte)'{', 0xC3, 0x28, 0xFF, (byte)'}', (byte)round],
                "unsupported_hello" => Encoding.UTF8.GetBytes($$$"""{"type":"hello","audio_params":{"format":"opus","sample_rate":{{{8000 * (round + 3)}}},"channels":1}}"""),
                _ => Encoding.UTF8.GetBytes("""{"type":"hello","transport":"udp"}"""),
            };
            await device.Socket.SendAsync(frame, input == "oversized" ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, timeout.Token);

            if (code is not null)
            {
                var error = await device.NextMessageAsync(timeout.Token);
                Assert.Equal((DeviceMessageTypes.Error, code), (error.Type, error.Code));
            }
            // A text frame that is not UTF-8 fails the connection at the WebSocket layer itself (RFC 6455 §8.1): no error frame.
            Assert.Null(await device.ReceiveAsync(timeout.Token));
            Assert.Equal(close, device.CloseStatus);
        }
        await AssertANormalTurnWorksAsync(input, "closing-child");
    }

    [Fact]
    public async Task Malformed_handshakes_get_a_clear_http_error_and_the_gateway_serves_on()
    {
        var token = Gateway.Families.Child("handshake-child");
        var random = new Random(7);
        var handshakes = new List<(string Path, string? Authorization, int Status)>
        {
            ("/ws/", $"Bearer {token}", 400),
            ("/ws/a%20b", $"Bearer {token}", 400),
            ("/ws/" + new string('x', 200), $"Bearer {token}", 400),
            ("/ws/handshake-child", null, 401),
            ("/ws/handshake-child", "Basic dXNlcjpwYXNz", 401),
            ("/ws/handshake-child", "Bearer ", 401),
            ("/ws/handshake-child?token=", null, 401),
        };
        for (var i = 0; i < 40; i++)
        {
            // The first Families:MaxFailedSignIns (10) wrong secrets are refused; then this address is turned away for this child.
            // Wrong secrets of every shape: no dot, empty parts, random bytes, another child's.
            var wrong = random.Next(4) switch
            {
                0 => Convert.ToBase64String(RandomBytes(random, random.Next(1, 64))),
                1 => $"{token.Split('.')[0]}.{Convert.ToHexString(RandomBytes(random, 16))}",
                2 => $".{token.Split('.')[1]}",
                _ => $"{token}{(char)random.Next('a', 'z')}",
            };
            handshakes.Add(("/ws/handshake-child", $"Bearer {wrong}", i < 10 ? 403 : 429));
        }
        // The right secret still gets in; a nonsense session to resume is ignored.
        handshakes.Add(("/ws/handshake-child?session_id=../../etc/passwd", $"Bearer {token}", 101));

        foreach (var (path, authorization, status) in handshakes)
        {
            var (answered, body) = await RawUpgrade.RequestAsync(Gateway.BaseAddress, path, authorization);
            Assert.True(status == answered, $"{path} with '{authorization}': expected {status}, got {answered} {body}");
            if (status >= 400) Assert.Contains("\"detail\"", body); // a problem+json that says what is wrong
        }
        await AssertANormalTurnWorksAsync("after the handshakes", "handshake-child");
    }

    private async Task AssertANormalTurnWorksAsync(string when, string child = "corpus-child")
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var device = await Gateway.ConnectDeviceAsync(child, cancellationToken: timeout.Token);
        OpenAi.NextTranscripts.Enqueue($"hello again {when}");
        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromMilliseconds(800)), timeout.Token);
        var reply = await device.ListenForReplyAsync(timeout.Token);
        Assert.True(reply.Error is null, $"{when}: {reply.Error}");
        Assert.Equal($"hello again {when}", reply.Heard);
        Assert.NotEmpty(reply.Sentences);
    }

    /// <summary>One malformed frame of a random kind, and the error code the protocol gives it (none of them close).</summary>
    private static (byte[] Frame, bool Binary, string Code) MalformedFrame(Random random)
    {
        string Word() => new(Enumerable.Range(0, random.Next(1, 12)).Select(_ => (char)random.Next('a', 'z' + 1)).ToArray());
        return random.Next(11) switch
        {
            // Not JSON at all, or cut short.
            0 => (Encoding.UTF8.GetBytes(Word() + "{" + Word()), false, DeviceErrorCodes.InvalidJson),
            1 => (Encoding.UTF8.GetBytes("""{"type":"listen","state":"st""".AsSpan(0, random.Next(1, 25)).ToString()), false, DeviceErrorCodes.InvalidJson),
            // Control characters and stray quotes.
            2 => (Encoding.UTF8.GetBytes("{\"type\":\"" + new string((char)random.Next(1, 31), random.Next(1, 5)) + "\"" + Word()), false, DeviceErrorCodes.InvalidJson),
            // JSON, but not an object with a string "type".
            3 => (Encoding.UTF8.GetBytes(random.Next(5) switch { 0 => "[]", 1 => "42", 2 => "\"hello\"", 3 => "null", _ => "true" }), false, DeviceErrorCodes.InvalidJson),
            4 => (Encoding.UTF8.GetBytes(random.Next(4) switch
            {
                0 => """{"Type":"hello"}""",
                1 => """{"TYPE":"listen","state":"start"}""",
                2 => $$"""{"type":{{random.Next()}}}""",
                _ => """{"type":["listen"]}""",
            }), false, DeviceErrorCodes.InvalidJson),
            // Fields of the wrong type.
            5 => (Encoding.UTF8.GetBytes($$"""{"type":"listen","state":{{random.Next()}}}"""), false, DeviceErrorCodes.InvalidJson),
            // A type, or a listen state, the protocol does not have.
            6 => (Encoding.UTF8.GetBytes($$"""{"type":"x{{Word()}}"}"""), false, DeviceErrorCodes.UnknownType),
            7 => (Encoding.UTF8.GetBytes($$"""{"type":"listen","state":"x{{Word()}}"}"""), false, DeviceErrorCodes.UnknownType),
            8 => (Encoding.UTF8.GetBytes("""{"type":"listen"}"""), false, DeviceErrorCodes.UnknownType),
            // hello once the format is set (the device's own hello came first).
            9 => (Encoding.UTF8.GetBytes("""{"type":"hello","audio_params":{"format":"opus","sample_rate":16000,"channels":1,"frame_duration":60}}"""), false, DeviceErrorCodes.UnexpectedHello),
            // PCM16 of an odd number of bytes.
            _ => (RandomBytes(random, random.Next(0, 400) * 2 + 1), true, DeviceErrorCodes.BadAudio),
        };
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Describe(byte[] frame, bool binary) =>
        binary ? $"{frame.Length} binary bytes" : Encoding.UTF8.GetString(frame)[..Math.Min(60, Encoding.UTF8.GetString(frame).Length)];
}
