using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Tutor.Tests.Infrastructure;

/// <summary>A real <c>redis-server</c> of the test's own, on a free loopback port, gone when disposed.</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? _process;

    static RedisServer()
    {
        // Every test class runs gateways and workers in this one process, and on 2 cores the thread pool grows slowly:
        // a synchronous wait in a host's shutdown (SignalR's Redis backplane unsubscribes in Dispose) then found no
        // thread to read Redis's answer and timed out after 5 s with the reply already on the socket (CI, once).
        // StackExchange.Redis's own advice for bursts: a higher minimum, so threads come at once.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(completionPorts, 64));
    }

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public IConnectionMultiplexer Connection { get; private set; } = null!;

    public IDatabase Database => Connection.GetDatabase();

    public async Task InitializeAsync()
    {
        Port = FreePort();
        var startInfo = new ProcessStartInfo("redis-server", ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            _process = Process.Start(startInfo)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed. Run ./test.sh, which installs it, or: sudo apt-get install -y redis-server", ex);
        }
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                Connection = await ConnectionMultiplexer.ConnectAsync($"{ConnectionString},abortConnect=true,connectTimeout=500");
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Kills the server, as a crash or an outage would.</summary>
    public async Task KillAsync()
    {
        _process!.Kill();
        await _process.WaitForExitAsync();
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null) await Connection.DisposeAsync();
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
    }

    /// <summary>Every key matching <paramref name="pattern"/>, found with SCAN.</summary>
    public async Task<List<string>> KeysAsync(string pattern)
    {
        var keys = new List<string>();
        await foreach (var key in Connection.GetServer(Connection.GetEndPoints()[0]).KeysAsync(pattern: pattern))
        {
            keys.Add(key!);
        }
        return keys;
    }

    /// <summary>Runs an administrative command (<c>ACL SETUSER</c>…), which the tests' own connection may not.</summary>
    public async Task<RedisResult> AdminAsync(string command, params object[] arguments)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{ConnectionString},allowAdmin=true");
        return await admin.GetDatabase().ExecuteAsync(command, arguments);
    }

    /// <summary>How often each command ran since the server started (<c>INFO commandstats</c>), by command name.</summary>
    public async Task<Dictionary<string, long>> CommandCallsAsync()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{ConnectionString},allowAdmin=true");
        var calls = new Dictionary<string, long>();
        foreach (var (key, value) in (await admin.GetServer(admin.GetEndPoints()[0]).InfoAsync("commandstats")).SelectMany(group => group))
        {
            // cmdstat_xreadgroup: calls=12,usec=...
            if (!key.StartsWith("cmdstat_", StringComparison.Ordinal)) continue;
            calls[key["cmdstat_".Length..]] = long.Parse(value.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        return calls;
    }

    /// <summary>Waits until <paramref name="count"/> clients subscribe to <paramref name="channel"/> (a worker's listener, a gateway's relay).</summary>
    public async Task WaitForSubscribersAsync(string channel, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var subscribers = await SubscriberCountAsync(channel);
            if (subscribers >= count) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{channel} has {subscribers} subscriber(s), expected {count}.");
            await Task.Delay(25);
        }
    }

    /// <summary>PUBSUB NUMSUB: how many clients, on any connection, subscribe to <paramref name="channel"/>.</summary>
    public async Task<long> SubscriberCountAsync(string channel)
    {
        var result = await Database.ExecuteAsync("PUBSUB", "NUMSUB", channel);
        return (long)((RedisResult[])result!)[1];
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
