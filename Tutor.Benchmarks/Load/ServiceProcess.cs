using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tutor.Benchmarks.Load;

/// <summary>
/// One of Tutor's processes (or redis-server) started as an operator would start it, with its output in a log file
/// under <c>results/</c>, and the CPU time it used.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly ProcessStartInfo _start;
    private readonly StreamWriter _log;
    private Process _process;
    private TimeSpan _earlierCpu; // what the process used before it was killed and started again

    private ServiceProcess(string name, ProcessStartInfo start, StreamWriter log)
    {
        Name = name;
        _start = start;
        _log = log;
        _process = Launch();
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// User and kernel time so far, including the processes it started and has reaped (an engine, a converter): what
    /// running it cost the machine. Read from <c>/proc/{pid}/stat</c> (utime, stime, cutime, cstime).
    /// </summary>
    public TimeSpan Cpu
    {
        get
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
                // The command name may hold spaces; the fields after it are plain numbers. utime is field 14 of the whole line.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11]) + long.Parse(fields[12]) + long.Parse(fields[13]) + long.Parse(fields[14]);
                return _lastCpu = _earlierCpu + TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
            }
            catch (IOException)
            {
                return _lastCpu; // it has exited
            }
        }
    }

    private TimeSpan _lastCpu;

    /// <param name="run">The run's name: the log is <c>results/{run}-{name}.log</c>.</param>
    public static ServiceProcess Start(string run, string name, string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;

        Directory.CreateDirectory("results");
        var log = new StreamWriter(Path.Combine("results", $"{run}-{name}.log")) { AutoFlush = false };
        return new ServiceProcess(name, start, log);
    }

    private Process Launch()
    {
        var process = new Process { StartInfo = _start };
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) lock (_log) _log.WriteLine(line.Data); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) lock (_log) _log.WriteLine(line.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Starts one of Tutor's projects from its build output, in its project directory as <c>dotnet run</c> would.</summary>
    public static ServiceProcess StartProject(string run, string name, string project, IReadOnlyDictionary<string, string> environment)
    {
        var root = RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(root, project, "bin", configuration, "net10.0", $"{project}.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is missing: build the solution in {configuration} first.");
        var all = new Dictionary<string, string>(environment)
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // The dashboard is not running: nothing should try to export telemetry to it.
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
        };
        return Start(run, name, "dotnet", [dll], Path.Combine(root, project), all);
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tutor.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("Run the benchmark from the repository's build output (Tutor.sln not found above it).");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        _earlierCpu = Cpu;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        lock (_log) _log.WriteLine($"--- killed at {DateTimeOffset.UtcNow:O} ---");
    }

    /// <summary>Starts it again, as an orchestrator restarts a crashed process.</summary>
    public void Start()
    {
        if (!_process.HasExited) throw new InvalidOperationException($"{Name} is still running.");
        _process.Dispose();
        lock (_log) _log.WriteLine($"--- started again at {DateTimeOffset.UtcNow:O} ---");
        _process = Launch();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM first: a graceful stop, as an orchestrator does.
                Process.Start("kill", ["-TERM", _process.Id.ToString()])?.WaitForExit();
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await _process.WaitForExitAsync(grace.Token); }
                catch (OperationCanceledException) { Kill(); }
            }
        }
        finally
        {
            lock (_log) _log.Dispose();
            _process.Dispose();
        }
    }
}
