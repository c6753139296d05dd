using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tutor.Realtime.Audio;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Pairing;

/// <summary>
/// A stock xiaozhi device, spoken for literally: every request and message below is shaped as 78/xiaozhi-esp32 sends or
/// reads it (main/ota.cc, main/application.cc, main/protocols/websocket_protocol.cc, docs/websocket.md) or as
/// xinnan-tech/xiaozhi-esp32-server's browser client does (ota-connector.js, websocket.js) — cited at each step. The
/// device is configured with nothing but Tutor's OTA URL.
/// </summary>
public sealed class XiaozhiCompatibilityTests() : TurnTestBed(new Dictionary<string, string> { ["Xiaozhi:TimezoneOffset"] = "60" })
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const string Child = "xiaozhi-child";
    private const string ClientId = "5b3e1d9c-7a51-4d0e-9f58-2c1b4a7e6d90";
    private const string FirmwareVersion = "1.9.2";

    [Fact]
    public async Task A_board_with_only_the_OTA_url_is_bound_by_a_parent_and_holds_a_lesson()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        const string mac = "a0:b7:65:12:34:56";
        Gateway.Families.Child(Child);
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };

        // ota.cc CheckVersion: POST the system report; an unbound device gets activation {code, message, challenge, timeout_ms}.
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var first = await CheckInAsync(http, mac, ClientId, timeout.Token);
        Assert.InRange(first.GetProperty("server_time").GetProperty("timestamp").GetInt64(), before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);
        Assert.Equal(60, first.GetProperty("server_time").GetProperty("timezone_offset").GetInt32());
        Assert.Equal(FirmwareVersion, first.GetProperty("firmware").GetProperty("version").GetString()); // its own version: nothing to install
        Assert.Equal(JsonValueKind.String, first.GetProperty("firmware").GetProperty("url").ValueKind);
        var activation = first.GetProperty("activation");
        var code = activation.GetProperty("code").GetString()!;
        Assert.Matches("^[0-9]{6}$", code);
        Assert.EndsWith("\n" + code, activation.GetProperty("message").GetString());
        var challenge = activation.GetProperty("challenge").GetString()!;
        Assert.NotEmpty(challenge);
        Assert.InRange(activation.GetProperty("timeout_ms").GetInt32(), 60_000, 300_000);
        Assert.False(first.TryGetProperty("websocket", out _), "nothing to connect to before a parent binds it");

        // application.cc: the firmware polls Ota::Activate — 202 means "keep waiting" (ESP_ERR_TIMEOUT); checking in again keeps the code.
        Assert.Equal(HttpStatusCode.Accepted, (await ActivateAsync(http, mac, ClientId, "{}", timeout.Token)).StatusCode);
        var again = await CheckInAsync(http, mac, ClientId, timeout.Token);
        Assert.Equal(code, again.GetProperty("activation").GetProperty("code").GetString());

        // The parent types the code the device showed and spoke, on the page's pairing form — the same code as a Tutor device's.
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf(Child), timeout.Token);
        var bound = await parent.PostAsJsonAsync("/api/pairing", new { code, user_id = Child, name = "xiaozhi" }, timeout.Token);
        Assert.Equal(HttpStatusCode.Created, bound.StatusCode);

        // Activation-Version 2 boards echo the challenge with their serial number and HMAC (ota.cc GetActivationPayload): 200.
        var payload = JsonSerializer.Serialize(new { algorithm = "hmac-sha256", serial_number = "SN-0001", challenge, hmac = new string('0', 64) });
        Assert.Equal(HttpStatusCode.OK, (await ActivateAsync(http, mac, ClientId, payload, timeout.Token)).StatusCode);

        // The next check-in: websocket {url, token}, no activation — ota.cc stores every string of "websocket" in its settings.
        var configured = await CheckInAsync(http, mac, ClientId, timeout.Token);
        Assert.False(configured.TryGetProperty("activation", out _));
        var url = new Uri(configured.GetProperty("websocket").GetProperty("url").GetString()!);
        var token = configured.GetProperty("websocket").GetProperty("token").GetString()!;
        Assert.Equal($"/ws/{Child}", url.AbsolutePath);
        Assert.Equal("ws", url.Scheme);
        Assert.Empty(await Redis.KeysAsync("pairing:*")); // the code is used up
        var kept = await Redis.Database.KeyTimeToLiveAsync($"xiaozhi:token:{mac}");
        Assert.InRange(kept!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10)); // the secret stays on the server for the delivery window only

        // websocket_protocol.cc OpenAudioChannel: header auth, the firmware's hello; then a push-to-talk turn in Opus.
        await using (var board = await XiaozhiSocket.ConnectWithHeadersAsync(url, token, mac, ClientId, timeout.Token))
        {
            await board.SendTextAsync("""{"type":"hello","version":1,"features":{"mcp":true},"transport":"websocket","audio_params":{"format":"opus","sample_rate":16000,"channels":1,"frame_duration":60}}""", timeout.Token);
            var hello = await board.NextJsonAsync(timeout.Token);
            AssertServerHello(hello);
            OpenAi.NextTranscripts.Enqueue("hello");
            await board.SendTextAsync($$"""{"session_id":"{{hello.GetProperty("session_id").GetString()}}","type":"listen","state":"start","mode":"manual"}""", timeout.Token);
            await SendOpusAsync(board, TestAudio.Utterance(TimeSpan.FromMilliseconds(900)), timeout.Token);
            await board.SendTextAsync("""{"type":"listen","state":"stop"}""", timeout.Token);

            var turn = await ReadTurnAsync(board, timeout.Token);
            Assert.Equal("hello", turn.Heard);
            Assert.NotEmpty(turn.Sentences);
            Assert.Empty(turn.Errors);
            Assert.True(turn.Frames.Count > 10, $"{turn.Frames.Count} Opus frames");
            var decoder = new OpusFrameDecoder(16000);
            Assert.All(turn.Frames, f => Assert.Equal(960 * 2, decoder.Decode(f.Packet).Length)); // each one 60 ms of 16 kHz audio
            // A xiaozhi client drops what it has not played when tts stop arrives: the stop must not come before the
            // reply's playback time (frames × 60 ms from the first frame). Sent right after the last frame, it would come
            // the pre-buffer (300 ms) early.
            var playback = TimeSpan.FromMilliseconds(60 * turn.Frames.Count);
            var stopAfter = Stopwatch.GetElapsedTime(turn.Frames[0].At, turn.StoppedAt);
            Assert.True(stopAfter >= playback - TimeSpan.FromMilliseconds(100),
                $"tts stop {stopAfter.TotalMilliseconds:0} ms after the first frame; the reply plays for {playback.TotalMilliseconds:0} ms");
        }

        // xiaozhi's browser client (ota-connector.js): the credentials in the query, a hello without audio_params (websocket.js)
        // — Opus 16 kHz 60 ms then — and the end of a recording marked by an empty binary frame.
        await using (var page = await XiaozhiSocket.ConnectWithQueryAsync(url, token, mac, ClientId, timeout.Token))
        {
            await page.SendTextAsync($$$"""{"type":"hello","device_id":"{{{mac}}}","device_name":"Web test","device_mac":"{{{mac}}}","token":"{{{token}}}","features":{"mcp":true}}""", timeout.Token);
            var hello = await page.NextJsonAsync(timeout.Token);
            AssertServerHello(hello);
            await page.SendBinaryAsync(ReadOnlyMemory<byte>.Empty, timeout.Token); // before any listen: ignored, no bad_audio
            OpenAi.NextTranscripts.Enqueue("it is red");
            await page.SendTextAsync("""{"type":"listen","state":"start","mode":"manual"}""", timeout.Token);
            await SendOpusAsync(page, TestAudio.Utterance(TimeSpan.FromMilliseconds(900)), timeout.Token);
            await page.SendBinaryAsync(ReadOnlyMemory<byte>.Empty, timeout.Token); // ends the push-to-talk utterance

            // The child interrupts (docs/websocket.md, abort): the reply stops at once with tts stop.
            var aborted = 0L;
            var turn = await ReadTurnAsync(page, timeout.Token, async frames =>
            {
                if (frames != 3) return;
                aborted = Stopwatch.GetTimestamp();
                await page.SendTextAsync("""{"type":"abort","reason":"wake_word_detected"}""", timeout.Token);
            });
            Assert.Equal("it is red", turn.Heard);
            Assert.Empty(turn.Errors);
            Assert.InRange(Stopwatch.GetElapsedTime(aborted, turn.StoppedAt).TotalMilliseconds, 0, 200);
        }
    }

    [Fact]
    public async Task A_revoked_board_is_asked_to_activate_again_and_its_secret_no_longer_connects()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        const string mac = "a0:b7:65:00:00:01";
        const string child = "xiaozhi-revoked";
        Gateway.Families.Child(child);
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };
        using var parent = await Gateway.ParentClientAsync(TestFamilies.ParentOf(child), timeout.Token);
        var code = (await CheckInAsync(http, mac, ClientId, timeout.Token)).GetProperty("activation").GetProperty("code").GetString();
        await parent.PostAsJsonAsync("/api/pairing", new { code, user_id = child }, timeout.Token);
        // A board that reboots before polling activation learns it is bound at its next check-in all the same.
        var websocket = (await CheckInAsync(http, mac, ClientId, timeout.Token)).GetProperty("websocket");
        var token = websocket.GetProperty("token").GetString()!;

        // Another client naming the same MAC (it is no secret) gets neither the binding nor the secret: a code of its own.
        var impostor = await CheckInAsync(http, mac, "another-client", timeout.Token);
        Assert.False(impostor.TryGetProperty("websocket", out _));
        Assert.NotEqual(code, impostor.GetProperty("activation").GetProperty("code").GetString());

        var deviceId = token[..token.IndexOf('.')];
        Assert.Equal(HttpStatusCode.NoContent, (await parent.DeleteAsync($"/api/children/{child}/devices/{deviceId}", timeout.Token)).StatusCode);

        var afterRevoke = await CheckInAsync(http, mac, ClientId, timeout.Token);
        Assert.False(afterRevoke.TryGetProperty("websocket", out _), "a revoked board is not told where to connect");
        Assert.Matches("^[0-9]{6}$", afterRevoke.GetProperty("activation").GetProperty("code").GetString()!);
        var refused = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() =>
            XiaozhiSocket.ConnectWithQueryAsync(new Uri(websocket.GetProperty("url").GetString()!), token, mac, ClientId, timeout.Token));
        Assert.Contains("403", refused.Message);
    }

    [Fact]
    public async Task Check_ins_without_a_device_or_with_too_much_get_a_clear_refusal_and_browsers_may_call()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };

        using var noHeaders = await http.PostAsync("/xiaozhi/ota/", new StringContent("{}", Encoding.UTF8, "application/json"), timeout.Token);
        Assert.Equal(HttpStatusCode.BadRequest, noHeaders.StatusCode);
        Assert.Contains("Device-Id", await noHeaders.Content.ReadAsStringAsync(timeout.Token));

        using var huge = Request(HttpMethod.Post, "/xiaozhi/ota/", "a0:b7:65:00:00:02", ClientId, $$"""{"padding":"{{new string('x', 20_000)}}"}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await http.SendAsync(huge, timeout.Token)).StatusCode);

        using var notJson = Request(HttpMethod.Post, "/xiaozhi/ota", "a0:b7:65:00:00:02", ClientId, "not json");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(notJson, timeout.Token)).StatusCode);

        using var noActivation = Request(HttpMethod.Post, "/xiaozhi/ota/activate", "a0:b7:65:00:00:03", ClientId, "{}");
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(noActivation, timeout.Token)).StatusCode);

        // New codes are pairing codes, limited per address alike (Pairing:MaxCodesPerAddress, 5): the sixth board is told to wait.
        for (var board = 0; board < 5; board++) await CheckInAsync(http, $"a0:b7:65:00:01:0{board}", ClientId, timeout.Token);
        using var sixth = Request(HttpMethod.Post, "/xiaozhi/ota/", "a0:b7:65:00:01:09", ClientId, "{}");
        using var turnedAway = await http.SendAsync(sixth, timeout.Token);
        Assert.Equal(HttpStatusCode.TooManyRequests, turnedAway.StatusCode);
        Assert.Equal("60", turnedAway.Headers.GetValues("Retry-After").Single());

        // xiaozhi's browser client calls the OTA endpoint from its own page, with its own headers: the preflight passes.
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/xiaozhi/ota/");
        preflight.Headers.Add("Origin", "http://localhost:8006");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,device-id,client-id");
        using var allowed = await http.SendAsync(preflight, timeout.Token);
        Assert.Equal("*", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("device-id", string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertServerHello(JsonElement hello)
    {
        // websocket_protocol.cc ParseServerHello: transport must be "websocket"; session_id and audio_params are read.
        Assert.Equal("hello", hello.GetProperty("type").GetString());
        Assert.Equal("websocket", hello.GetProperty("transport").GetString());
        Assert.False(string.IsNullOrEmpty(hello.GetProperty("session_id").GetString()));
        var audio = hello.GetProperty("audio_params");
        Assert.Equal(("opus", 16000, 1, 60), (audio.GetProperty("format").GetString(), audio.GetProperty("sample_rate").GetInt32(),
            audio.GetProperty("channels").GetInt32(), audio.GetProperty("frame_duration").GetInt32()));
        Assert.Equal(["audio_params", "session_id", "transport", "type", "version"], hello.EnumerateObject().Select(p => p.Name).Order());
    }

    /// <summary>The system report of Board::GetSystemInfoJson, with the headers of Ota::SetupHttp.</summary>
    private static async Task<JsonElement> CheckInAsync(HttpClient http, string mac, string clientId, CancellationToken cancellationToken)
    {
        var report = $$$"""
            {"version":2,"language":"en-US","flash_size":16777216,"minimum_free_heap_size":"7265","mac_address":"{{{mac}}}","uuid":"{{{clientId}}}",
             "chip_model_name":"esp32s3","chip_info":{"model":9,"cores":2,"revision":2,"features":18},
             "application":{"name":"xiaozhi","version":"{{{FirmwareVersion}}}","compile_time":"Nov 20 2026T10:00:00Z","idf_version":"v5.4.1","elf_sha256":"{{{new string('a', 64)}}}"},
             "partition_table":[{"label":"nvs","type":1,"subtype":2,"address":36864,"size":16384}],"ota":{"label":"ota_0"},
             "board":{"type":"bread-compact-wifi","name":"bread-compact-wifi","ssid":"home","rssi":-50,"channel":6,"ip":"192.168.1.20","mac":"{{{mac}}}"}}
            """;
        using var request = Request(HttpMethod.Post, "/xiaozhi/ota/", mac, clientId, report);
        using var response = await http.SendAsync(request, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // Ota::CheckVersion gives up on anything else
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    /// <summary>Ota::Activate: the OTA URL + "activate", the same headers, <c>{}</c> or the version-2 payload.</summary>
    private static async Task<HttpResponseMessage> ActivateAsync(HttpClient http, string mac, string clientId, string payload, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, "/xiaozhi/ota/activate", mac, clientId, payload);
        return await http.SendAsync(request, cancellationToken);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string mac, string clientId, string body)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Activation-Version", "2");
        request.Headers.Add("Device-Id", mac);
        request.Headers.Add("Client-Id", clientId);
        request.Headers.UserAgent.ParseAdd($"bread-compact-wifi/{FirmwareVersion}");
        request.Headers.AcceptLanguage.ParseAdd("en-US");
        return request;
    }

    /// <summary>The microphone's audio as the firmware sends it: one Opus packet per 60 ms frame, in real time.</summary>
    private static async Task SendOpusAsync(XiaozhiSocket socket, byte[] pcm, CancellationToken cancellationToken)
    {
        var encoder = new OpusFrameEncoder(16000, 60);
        for (var offset = 0; offset + encoder.FrameBytes <= pcm.Length; offset += encoder.FrameBytes)
        {
            await socket.SendBinaryAsync(encoder.Encode(pcm.AsSpan(offset, encoder.FrameBytes)), cancellationToken);
            await Task.Delay(60, cancellationToken);
        }
    }

    private sealed record Frame(byte[] Packet, long At);

    private sealed record Turn(string? Heard, List<string> Sentences, List<Frame> Frames, List<string> Errors, long StoppedAt);

    /// <summary>stt, tts start, sentence_start + Opus frames …, tts stop — as application.cc handles them.</summary>
    private static async Task<Turn> ReadTurnAsync(XiaozhiSocket socket, CancellationToken cancellationToken, Func<int, Task>? onFrame = null)
    {
        string? heard = null;
        var sentences = new List<string>();
        var frames = new List<Frame>();
        var errors = new List<string>();
        while (await socket.ReceiveAsync(cancellationToken) is { } received)
        {
            if (received.Binary is { } packet)
            {
                frames.Add(new Frame(packet, received.At));
                if (onFrame is not null) await onFrame(frames.Count);
                continue;
            }
            var json = received.Json!.Value;
            switch (received.Type, received.State)
            {
                case ("stt", _): heard = json.GetProperty("text").GetString(); break;
                case ("tts", "sentence_start"): sentences.Add(json.GetProperty("text").GetString()!); break;
                case ("tts", "stop"): return new Turn(heard, sentences, frames, errors, received.At);
                case ("error", _): errors.Add(json.GetProperty("code").GetString()!); break;
            }
        }
        throw new InvalidOperationException("The server closed the socket during the turn.");
    }
}
