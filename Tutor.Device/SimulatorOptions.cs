using Tutor.Contracts.Devices;

namespace Tutor.Device;

/// <summary>The simulator's command line.</summary>
public sealed record SimulatorOptions(
    Uri Gateway, string UserId, string Token, string? Say, string Voice, string InputPath, bool InputIsRawPcm, string OutputPath, TimeSpan Timeout,
    DeviceProfile Profile, TurnTaking TurnTaking, TimeSpan? AbortAfter, bool Help, bool Pair = false, string? SecretFile = null)
{
    public const string Usage = """
        Tutor.Device — an ESP32 device simulator speaking docs/device-protocol.md.

        Usage: dotnet run --project Tutor.Device -- [options]
          --gateway URL      the gateway (default: the AppHost's, else http://localhost:5080)
          --user ID          the child's user id (default: demo-child)
          --token TOKEN      the device secret (default: the demo family's, demo-device.tutor-demo-secret)
          --say TEXT         say TEXT in a synthesized child's voice (espeak-ng), instead of a recording
          --voice V          the voice for --say: an espeak-ng voice (default: en-us) or flite:slt
          --wav FILE         the utterance, a 16 kHz mono PCM16 WAV (default: samples/hello.wav)
          --pcm FILE         the utterance as raw PCM16 LE, 16 kHz mono
          --format F         pcm16 | opus: the audio on the socket, both ways (default: pcm16)
          --mode M           manual (push-to-talk) | auto (server VAD) | plain (no hello, no listen) (default: manual)
          --abort-after SEC  interrupt the tutor after this many seconds of its reply
          --out FILE         where to save the reply as WAV (default: reply.wav)
          --timeout SEC      give up after this many seconds (default: 60)
          --pair             pair first: ask for a code, print and speak it, wait until a parent enters it on the
                             parents' page, keep the user id and secret in --secret-file, then talk as usual
          --secret-file F    where a paired device keeps its user id and secret (default: ~/.tutor-device/secret);
                             when it exists, it is used instead of --user and --token
        """;

    /// <summary>The demo family's device secret (Tutor.Gateway/families/demo.json): public, for local use only.</summary>
    public const string DemoToken = "demo-device.tutor-demo-secret";

    public static SimulatorOptions Parse(string[] args, Func<string, string?> environment)
    {
        string Value(string name, string fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
        }

        // Started by the AppHost, the gateway's address arrives through service discovery's environment variables.
        var discovered = environment("services__gateway__http__0") ?? "http://localhost:5080";
        var pcm = Value("--pcm", "");
        var mode = Value("--mode", "manual").ToLowerInvariant() switch
        {
            "auto" => TurnTaking.Auto,
            "plain" => TurnTaking.Plain,
            "manual" => TurnTaking.Manual,
            var other => throw new ArgumentException($"--mode is manual, auto or plain, not '{other}'."),
        };
        var format = Value("--format", AudioParams.Pcm16).ToLowerInvariant() switch
        {
            AudioParams.Pcm16 => AudioParams.Pcm16,
            AudioParams.Opus => AudioParams.Opus,
            var other => throw new ArgumentException($"--format is pcm16 or opus, not '{other}'."),
        };
        var abortAfter = Value("--abort-after", "");
        return new SimulatorOptions(
            new Uri(Value("--gateway", discovered)),
            Value("--user", "demo-child"),
            Value("--token", environment("TUTOR_DEVICE_TOKEN") ?? DemoToken),
            args.Contains("--say") ? Value("--say", "") : null,
            Value("--voice", "en-us"),
            pcm.Length > 0 ? pcm : Value("--wav", Path.Combine(AppContext.BaseDirectory, "samples", "hello.wav")),
            pcm.Length > 0,
            Value("--out", "reply.wav"),
            TimeSpan.FromSeconds(int.Parse(Value("--timeout", "60"))),
            mode == TurnTaking.Plain ? DeviceProfile.Plain : new DeviceProfile(format),
            mode,
            abortAfter.Length > 0 ? TimeSpan.FromSeconds(double.Parse(abortAfter, System.Globalization.CultureInfo.InvariantCulture)) : null,
            args.Contains("--help") || args.Contains("-h"),
            args.Contains("--pair"),
            Value("--secret-file", Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".tutor-device", "secret")));
    }
}
