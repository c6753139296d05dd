using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Device;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Gateway;

/// <summary>Keep-alive and idle limits, with short settings so the test does not wait minutes.</summary>
public sealed class DeviceLivenessTests() : GatewayTestBed(new Dictionary<string, string> { ["Devices:IdleTimeout"] = "00:00:01.500", ["Devices:KeepAliveInterval"] = "00:00:01" })
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    [Fact]
    public async Task A_device_that_sends_nothing_is_told_and_closed_after_the_idle_timeout()
    {
        // Pings every 20 s here: with the class's 1 s keep-alive a pong delayed by a loaded CI machine cut the connection
        // before the idle timeout could be seen (CI, once).
        await using var gateway = new GatewayHost(Redis, new Dictionary<string, string> { ["Devices:IdleTimeout"] = "00:00:01.500", ["Devices:KeepAliveInterval"] = "00:00:20" });
        await using var device = await gateway.ConnectDeviceAsync("child-quiet");
        using var timeout = new CancellationTokenSource(Timeout);
        var started = DateTime.UtcNow;

        var frame = await device.ReceiveAsync(timeout.Token);

        var error = TutorJson.TryDeserialize<DeviceMessage>(frame?.Text)!;
        Assert.Equal(DeviceErrorCodes.IdleTimeout, error.Code);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1.3), TimeSpan.FromSeconds(4));
        Assert.Null(await device.ReceiveAsync(timeout.Token));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, device.CloseStatus);
    }

    [Fact]
    public async Task A_device_that_keeps_talking_is_not_idle()
    {
        await using var device = await Gateway.ConnectDeviceAsync("child-chatty");
        using var timeout = new CancellationTokenSource(Timeout);

        // 3 s of microphone audio in real time (twice the idle timeout), listening all the while to what the gateway says.
        var firstFromGateway = device.ReceiveAsync(timeout.Token);
        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromSeconds(3)), TurnTaking.Manual, realTime: true, timeout.Token);
        var quiet = System.Diagnostics.Stopwatch.StartNew();

        // Whatever comes first (the turn's fate, or the idle timeout once the device has gone quiet), it is not an idle
        // timeout while it talked: that would already have arrived, and be read at once.
        var message = TutorJson.TryDeserialize<DeviceMessage>((await firstFromGateway)?.Text);
        if (message?.Code == DeviceErrorCodes.IdleTimeout)
        {
            Assert.True(quiet.Elapsed >= TimeSpan.FromSeconds(1.2), $"idle timeout {quiet.Elapsed.TotalSeconds:0.00} s after the device stopped talking");
        }
    }

    [Fact]
    public async Task A_device_that_stops_answering_pings_is_cut_off_and_its_session_left_to_resume()
    {
        // Idle timeout far away, so only the keep-alive can end this connection.
        await using var gateway = new GatewayHost(Redis, new Dictionary<string, string>
        {
            ["Devices:IdleTimeout"] = "00:10:00",
            ["Devices:KeepAliveInterval"] = "00:00:01",
        });
        // A raw socket that completes the upgrade and then never reads: its pongs never come.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(gateway.BaseAddress.Host, gateway.BaseAddress.Port);
        var stream = tcp.GetStream();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /ws/child-frozen HTTP/1.1\r\nHost: {gateway.BaseAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Authorization: Bearer {gateway.Families.Child("child-frozen")}\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var response = new byte[1024];
        var read = await stream.ReadAsync(response);
        Assert.StartsWith("HTTP/1.1 101", Encoding.ASCII.GetString(response, 0, read));
        await Eventually.HoldsAsync(async () => (await Redis.KeysAsync("session:*")).Count == 1, "the session is open");

        // The gateway's pings go unanswered: it cuts the connection (what it still sends is read and dropped here).
        using var cutOff = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (await stream.ReadAsync(response, cutOff.Token) > 0) { }
        }
        catch (IOException)
        {
            // Reset: cut off as well.
        }
        Assert.False(cutOff.IsCancellationRequested, "the unanswered pings end the connection");
        // A dropped device may come back and resume: its session stays until its record expires, no longer kept alive.
        var session = Assert.Single(await Redis.KeysAsync("session:*"));
        Assert.True(await Redis.Database.KeyTimeToLiveAsync(session) <= TimeSpan.FromSeconds(90));
    }
}
