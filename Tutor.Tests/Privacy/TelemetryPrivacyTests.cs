using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Tutor.Device;
using Tutor.Tests.Infrastructure;
using Tutor.Realtime.Transcripts;

namespace Tutor.Tests.Privacy;

/// <summary>
/// What leaves the services as telemetry — every exported span and log record of the gateway and a worker, under their
/// shipped logging configuration — holds ids, lengths and timings, never a child's words or anyone's secret.
/// </summary>
public sealed class TelemetryPrivacyTests : TurnTestBed
{
    private const string ChildSaid = "my secret password is purple platypus";

    private static readonly ExportedTelemetry GatewayTelemetry = new();
    private static readonly ExportedTelemetry WorkerTelemetry = new();

    // Request logging on, as a developer chasing a problem turns it on: it must not record secrets either.
    public TelemetryPrivacyTests() : base(new Dictionary<string, string> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information" },
        GatewayTelemetry.AddTo, WorkerTelemetry.AddTo)
    {
    }

    [Fact]
    public async Task A_turn_leaves_no_words_and_no_secrets_in_exported_spans_or_logs()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var deviceToken = Gateway.Families.Child("quiet-child");
        var parentToken = await Gateway.SignInAsync(TestFamilies.ParentOf("quiet-child"), timeout.Token);

        // The parent follows as the page does: over a WebSocket whose token travels in the query string (browsers
        // cannot set headers on WebSockets), speaking SignalR's JSON protocol.
        using var parent = new ClientWebSocket();
        await parent.ConnectAsync(new UriBuilder(Gateway.BaseAddress)
        {
            Scheme = "ws",
            Path = TranscriptHub.Path,
            Query = $"access_token={Uri.EscapeDataString(parentToken)}",
        }.Uri, timeout.Token);
        await SendHubAsync(parent, """{"protocol":"json","version":1}""", timeout.Token);
        await SendHubAsync(parent, """{"type":1,"target":"Follow","arguments":["quiet-child"],"invocationId":"1"}""", timeout.Token);
        await ReceiveHubUntilAsync(parent, """"invocationId":"1"""", timeout.Token);

        // The device, too, presents its secret in the query string.
        await using var device = await DeviceClient.ConnectAsync(Gateway.BaseAddress, "quiet-child", deviceToken, DeviceProfile.Pcm16,
            timeout.Token, tokenInQuery: true);
        OpenAi.NextTranscripts.Enqueue(ChildSaid);
        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromSeconds(1)), timeout.Token);
        var reply = await device.ListenForReplyAsync(timeout.Token);
        await ReceiveHubUntilAsync(parent, ChildSaid, timeout.Token); // the parent saw the child's words
        await parent.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        await device.DisposeAsync();

        // A xiaozhi board is bound with its activation code, fetches its secret at check-in, and connects as xiaozhi's
        // browser client does: ?authorization=Bearer+<secret>.
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };
        using var parentHttp = await Gateway.ParentClientAsync(TestFamilies.ParentOf("quiet-child"), timeout.Token);
        var code = (await XiaozhiCheckInAsync(http, timeout.Token)).GetProperty("activation").GetProperty("code").GetString();
        Assert.True((await parentHttp.PostAsJsonAsync("/api/pairing", new { code, user_id = "quiet-child" }, timeout.Token)).IsSuccessStatusCode);
        var websocket = (await XiaozhiCheckInAsync(http, timeout.Token)).GetProperty("websocket");
        var xiaozhiToken = websocket.GetProperty("token").GetString()!;
        await using (var board = await XiaozhiSocket.ConnectWithQueryAsync(new Uri(websocket.GetProperty("url").GetString()!), xiaozhiToken, XiaozhiMac,
            "quiet-client", timeout.Token))
        {
            await board.SendTextAsync("""{"type":"hello"}""", timeout.Token);
            Assert.Equal("hello", (await board.NextJsonAsync(timeout.Token)).GetProperty("type").GetString());
        }

        // The turn happened and was recorded, so an empty capture cannot pass.
        Assert.Equal(ChildSaid, reply.Heard);
        Assert.NotEmpty(reply.Sentences);
        var exported = GatewayTelemetry.All.Concat(WorkerTelemetry.All).ToList();
        Assert.Contains(GatewayTelemetry.Spans, s => s.Contains("/ws/"));
        Assert.Contains(GatewayTelemetry.Spans, s => s.Contains(TranscriptHub.Path));
        Assert.Contains(GatewayTelemetry.Logs, l => l.Contains("Microsoft.AspNetCore"));
        Assert.Contains(WorkerTelemetry.Logs, l => l.Contains($"{ChildSaid.Length} characters"));

        Assert.Contains(GatewayTelemetry.Spans, s => s.Contains("/xiaozhi/ota"));
        string[] secrets = [deviceToken, Uri.EscapeDataString(deviceToken), parentToken, xiaozhiToken, Uri.EscapeDataString(xiaozhiToken), code!,
            "platypus", .. reply.Sentences.Where(s => s.Length > 12)];
        foreach (var secret in secrets)
        {
            var leaks = exported.Where(e => e.Contains(secret, StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(leaks.Count == 0, $"'{secret[..Math.Min(12, secret.Length)]}…' was exported: {string.Join(" | ", leaks.Take(3))}");
        }
    }

    private const string XiaozhiMac = "a0:b7:65:99:99:99";

    private static async Task<System.Text.Json.JsonElement> XiaozhiCheckInAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/xiaozhi/ota/") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Add("Device-Id", XiaozhiMac);
        request.Headers.Add("Client-Id", "quiet-client");
        using var response = await http.SendAsync(request, cancellationToken);
        return await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(cancellationToken);
    }

    private static Task SendHubAsync(ClientWebSocket hub, string message, CancellationToken cancellationToken) =>
        hub.SendAsync(Encoding.UTF8.GetBytes(message + "\u001e"), WebSocketMessageType.Text, true, cancellationToken);

    private static async Task ReceiveHubUntilAsync(ClientWebSocket hub, string wanted, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var received = new StringBuilder();
        while (!received.ToString().Contains(wanted))
        {
            var result = await hub.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close) throw new WebSocketException($"The hub closed: {result.CloseStatusDescription}");
            received.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }
}
