using System.Globalization;

namespace Tutor.Benchmarks.Load;

/// <summary>The load benchmark's flags (<c>load --help</c>).</summary>
public sealed record LoadOptions
{
    public const string Usage = """
        load [options]   D devices × T turns over real WebSockets against 1 gateway, N worker processes, Redis and an
                         OpenAI-compatible stand-in with realistic latencies (all started here)
          --devices D                  simulated devices (default 20)
          --turns T                    turns per device (default 5)
          --workers N                  worker processes (default 2)
          --utterance-seconds S        how long each child speaks (default 2)
          --say TEXT                   the child says TEXT in flite's voice, words a recognizer can hear (instead of
                                       the sample sound; its length is the speech's own)
          --pause-seconds S            pause after a reply before speaking again (default 1)
          --turn-timeout S             a turn with no reply after this is lost (default 30)
          --stt-ms MS                  transcription latency (default 400)
          --first-token-ms MS          chat latency to the first token (default 400)
          --tokens-per-second N        chat streaming rate (default 50)
          --speech-first-byte-ms MS    speech latency to the first byte (default 300)
          --speech-speed X             speech streams at X times real time (default 4)
          --instant                    every engine latency zero (and speech as fast as it can be sent)
          --worker-setting KEY=VALUE   a worker setting, e.g. Turns:MaxConcurrentTurns=64 (repeatable)
          --gateway-setting KEY=VALUE  a gateway setting (repeatable)
          --name NAME                  results file results/NAME.json (default load)
          --fault SECONDS:ACTION       a fault at that time after the devices start (repeatable): kill-worker-N,
                                       start-worker-N, restart-redis, kill-gateway, start-gateway, restart-gateway
          --redis-persistence aof|none Redis keeps its data across a restart in an append-only file, or not (default none)

        faults [options]  the same with the fault schedule of issue 11: 20 devices × 8 turns, Redis with AOF;
                          a worker killed at 12 s and started at 16 s, Redis restarted at 26 s, the other worker
                          killed at 40 s and started at 44 s, the gateway killed and started at 52 s
        """;

    /// <summary>The fault schedule of the <c>faults</c> benchmark.</summary>
    public static readonly string[] FaultScenario =
    [
        "--devices", "20", "--turns", "8", "--redis-persistence", "aof", "--name", "faults",
        "--fault", "12:kill-worker-1", "--fault", "16:start-worker-1", "--fault", "26:restart-redis",
        "--fault", "40:kill-worker-2", "--fault", "44:start-worker-2", "--fault", "52:restart-gateway",
    ];

    public int Devices { get; init; } = 20;
    public int Turns { get; init; } = 5;
    public int Workers { get; init; } = 2;
    public double UtteranceSeconds { get; init; } = 2;
    public string? Say { get; init; }
    public double PauseSeconds { get; init; } = 1;
    public double TurnTimeoutSeconds { get; init; } = 30;
    public EngineLatencies Latencies { get; init; } = EngineLatencies.Realistic;
    public Dictionary<string, string> WorkerSettings { get; init; } = [];
    public Dictionary<string, string> GatewaySettings { get; init; } = [];
    public string Name { get; init; } = "load";
    public List<(double AtSeconds, string Action)> Faults { get; init; } = [];
    public string RedisPersistence { get; init; } = "none";
    public bool Help { get; init; }

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        var latencies = options.Latencies;
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            double Number() => double.Parse(Next(), CultureInfo.InvariantCulture);
            TimeSpan Milliseconds() => TimeSpan.FromMilliseconds(Number());
            (string, string) Setting() => Next().Split('=', 2) is [var key, var value] ? (key, value) : throw new ArgumentException("A setting is KEY=VALUE.");
            switch (args[i])
            {
                case "--devices": options = options with { Devices = (int)Number() }; break;
                case "--turns": options = options with { Turns = (int)Number() }; break;
                case "--workers": options = options with { Workers = (int)Number() }; break;
                case "--utterance-seconds": options = options with { UtteranceSeconds = Number() }; break;
                case "--say": options = options with { Say = Next() }; break;
                case "--pause-seconds": options = options with { PauseSeconds = Number() }; break;
                case "--turn-timeout": options = options with { TurnTimeoutSeconds = Number() }; break;
                case "--stt-ms": latencies = latencies with { Transcription = Milliseconds() }; break;
                case "--first-token-ms": latencies = latencies with { FirstToken = Milliseconds() }; break;
                case "--tokens-per-second": latencies = latencies with { TokensPerSecond = Number() }; break;
                case "--speech-first-byte-ms": latencies = latencies with { SpeechFirstByte = Milliseconds() }; break;
                case "--speech-speed": latencies = latencies with { SpeechSpeed = Number() }; break;
                case "--instant": latencies = EngineLatencies.Instant; break;
                case "--worker-setting": { var (key, value) = Setting(); options.WorkerSettings[key] = value; break; }
                case "--gateway-setting": { var (key, value) = Setting(); options.GatewaySettings[key] = value; break; }
                case "--name": options = options with { Name = Next() }; break;
                case "--fault":
                {
                    var (at, action) = Next().Split(':', 2) is [var t, var a] ? (double.Parse(t, CultureInfo.InvariantCulture), a)
                        : throw new ArgumentException("A fault is SECONDS:ACTION.");
                    options.Faults.Add((at, action));
                    break;
                }
                case "--redis-persistence":
                    var persistence = Next();
                    options = options with { RedisPersistence = persistence is "aof" or "none" ? persistence : throw new ArgumentException("--redis-persistence is aof or none.") };
                    break;
                case "--help" or "-h": options = options with { Help = true }; break;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }
        if (options.Devices < 1 || options.Turns < 1 || options.Workers < 0) throw new ArgumentException("Devices and turns must be at least 1.");
        return options with { Latencies = latencies };
    }
}
