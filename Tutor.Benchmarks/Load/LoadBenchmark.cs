using System.Diagnostics;
using System.Text.Json;
using StackExchange.Redis;
using Tutor.Contracts.Audio;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Gateway.Families;

namespace Tutor.Benchmarks.Load;

/// <summary>
/// Tutor under load, as an operator would run it: redis-server, one gateway and N worker processes from the build output,
/// an OpenAI-compatible stand-in with realistic latencies, and D devices that each take T push-to-talk turns over real
/// WebSockets — optionally with processes killed and restarted on a schedule (the fault harness). Prints turns answered /
/// told an error / lost / answered twice, time to first audio, reply-complete time, CPU per turn of each process, the
/// worst queue wait, and the worst wait for an answer or an error.
/// </summary>
public static class LoadBenchmark
{
    public static async Task<LoadFigures> RunAsync(LoadOptions options, CancellationToken cancellationToken = default)
    {
        var workspace = Directory.CreateTempSubdirectory("tutor-load-");
        var services = new List<ServiceProcess>();
        try
        {
            var redisPort = ServiceProcess.FreePort();
            // With AOF, every write is in the append-only file within a second: a restarted Redis has (nearly) all of it.
            var redis = ServiceProcess.Start(options.Name, "redis", "redis-server",
                ["--port", redisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--dir", workspace.FullName,
                 "--appendonly", options.RedisPersistence == "aof" ? "yes" : "no", "--appendfsync", "everysec"], workspace.FullName,
                new Dictionary<string, string>());
            services.Add(redis);
            var redisAddress = $"127.0.0.1:{redisPort}";
            await using var connection = await ConnectAsync(redisAddress, cancellationToken);

            await using var engines = new EngineStandIn(options.Latencies);
            await engines.StartAsync();

            var tokens = WriteFamilies(workspace.FullName, options.Devices);
            var gatewayPort = ServiceProcess.FreePort();
            var gatewayEnvironment = new Dictionary<string, string>
            {
                ["ConnectionStrings__redis"] = redisAddress,
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{gatewayPort}",
                ["Families__Directory"] = workspace.FullName,
                // A production gateway needs its signing key (the benchmark signs no parent in, but the gateway checks at start).
                ["Families__LocalSigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            };
            foreach (var (key, value) in options.GatewaySettings) gatewayEnvironment[key.Replace(":", "__")] = value;
            var gateway = ServiceProcess.StartProject(options.Name, "gateway", "Tutor.Gateway", gatewayEnvironment);
            services.Add(gateway);

            var workers = new List<ServiceProcess>();
            for (var i = 0; i < options.Workers; i++)
            {
                var environment = new Dictionary<string, string>
                {
                    ["ConnectionStrings__redis"] = redisAddress,
                    ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                    ["OpenAI__ApiKey"] = EngineStandIn.ApiKey,
                    ["OpenAI__Endpoint"] = engines.Endpoint.ToString(),
                };
                foreach (var (key, value) in options.WorkerSettings) environment[key.Replace(":", "__")] = value;
                workers.Add(ServiceProcess.StartProject(options.Name, $"worker-{i + 1}", "Tutor.Workers", environment));
            }
            services.AddRange(workers);

            var gatewayUri = new Uri($"http://127.0.0.1:{gatewayPort}");
            await WaitUntilReadyAsync(gatewayUri, connection, options, services, cancellationToken);
            Console.WriteLine($"Started redis, 1 gateway and {options.Workers} worker(s); {options.Devices} device(s) × {options.Turns} turn(s)…");

            var utterance = options.Say is { } words ? Spoken(words) : Utterance(options.UtteranceSeconds);
            var devices = tokens.Select(t => new LoadDevice(gatewayUri, t.UserId, t.Token, utterance, options)).ToList();
            var cpuBefore = services.ToDictionary(s => s.Name, s => s.Cpu);
            var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;

            var started = Stopwatch.GetTimestamp();
            // Children do not all press the button at the same instant: starts are spread over one turn's length.
            var spread = TimeSpan.FromSeconds(options.UtteranceSeconds + options.PauseSeconds);
            var random = new Random(42);
            var runs = devices.Select(d => d.RunAsync(spread * random.NextDouble(), cancellationToken)).ToList();
            using var faultsOver = new CancellationTokenSource();
            var faults = ApplyFaultsAsync(options, services, faultsOver.Token);
            var failures = 0;
            foreach (var run in runs)
            {
                try { await run; }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failures++;
                    Console.Error.WriteLine($"A device failed: {ex.GetType().Name}: {ex.Message}");
                }
            }
            await faultsOver.CancelAsync();
            var applied = await faults;
            var elapsed = Stopwatch.GetElapsedTime(started);
            var cpu = services.ToDictionary(s => s.Name, s => (s.Cpu - cpuBefore[s.Name]).TotalSeconds);
            var ownCpu = (Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore).TotalSeconds;

            var figures = Summarize(options, devices.SelectMany(d => d.Turns).ToList(), failures, elapsed, cpu, ownCpu,
                await StagesOrNoneAsync(redisAddress), services.Where(s => s.HasExited).Select(s => s.Name).ToList())
                with { Faults = applied, Reconnects = devices.Sum(d => d.Reconnects) };
            await Results.WriteAsync(options.Name, figures);
            return figures;
        }
        finally
        {
            foreach (var service in Enumerable.Reverse(services)) await service.DisposeAsync();
            workspace.Delete(recursive: true);
        }
    }

    private static LoadFigures Summarize(LoadOptions options, List<TurnRecord> turns, int deviceFailures, TimeSpan elapsed,
        Dictionary<string, double> cpu, double ownCpu, Dictionary<string, double[]> stages, List<string> exited)
    {
        static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
        var firstAudio = turns.Where(t => t.Answered).Select(t => Ms(t.SpokeAt, t.FirstAudio!.Value)).Order().ToList();
        var complete = turns.Where(t => t.Answered).Select(t => Ms(t.SpokeAt, t.Completed!.Value)).Order().ToList();
        var sent = options.Devices * options.Turns;
        var waited = turns.Where(t => t.Waited is not null).Select(t => t.Waited!.Value.TotalMilliseconds).ToList();
        var answered = turns.Count(t => t.Answered);
        var workerCpu = cpu.Where(c => c.Key.StartsWith("worker-", StringComparison.Ordinal)).Sum(c => c.Value);
        double PerTurn(double seconds) => Math.Round(seconds * 1000 / Math.Max(1, answered), 1);
        return new LoadFigures(
            DateTimeOffset.UtcNow, Environment.ProcessorCount, options.Devices, options.Turns, options.Workers,
            new LatencySettings(options.Latencies.Transcription.TotalMilliseconds, options.Latencies.FirstToken.TotalMilliseconds,
                options.Latencies.TokensPerSecond, options.Latencies.SpeechFirstByte.TotalMilliseconds, options.Latencies.SpeechSpeed,
                EngineStandIn.EngineFloor(options.Latencies).TotalMilliseconds),
            sent, answered, turns.Count(t => t.Told), sent - answered - turns.Count(t => t.Told), turns.Count(t => t.ExtraAnswers > 0),
            turns.Where(t => t.Told).GroupBy(t => t.ErrorCode!).ToDictionary(g => g.Key, g => g.Count()),
            Percentile(firstAudio, 50), Percentile(firstAudio, 90), Percentile(firstAudio, 99),
            Percentile(complete, 50), Percentile(complete, 99),
            PerTurn(cpu.GetValueOrDefault("gateway")), PerTurn(workerCpu), PerTurn(cpu.GetValueOrDefault("redis")), PerTurn(ownCpu),
            PerTurn(cpu.Values.Sum()), Math.Round(elapsed.TotalSeconds, 1),
            Math.Round((cpu.Values.Sum() + ownCpu) / elapsed.TotalSeconds / Environment.ProcessorCount * 100, 1),
            stages.TryGetValue("queue", out var queue) ? queue[2] : null, stages, deviceFailures, exited,
            waited.Count == 0 ? null : Math.Round(waited.Max()), turns.Count(t => t.Waited > TimeSpan.FromSeconds(10)),
            turns.Sum(t => t.FramesAfterEnd), turns.Count(t => t.Resumed && t.Answered), [], 0);
    }

    private static double? Percentile(List<double> sorted, double percentile) =>
        sorted.Count == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)]);

    /// <summary>Kills and starts the run's processes on the schedule; returns what was done, and when.</summary>
    private static async Task<List<string>> ApplyFaultsAsync(LoadOptions options, List<ServiceProcess> services, CancellationToken cancellationToken)
    {
        var applied = new List<string>();
        var started = Stopwatch.GetTimestamp();
        ServiceProcess Service(string name) => services.Single(s => s.Name == name);
        try
        {
            foreach (var (at, action) in options.Faults.OrderBy(f => f.AtSeconds))
            {
                var due = TimeSpan.FromSeconds(at) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero) await Task.Delay(due, cancellationToken);
                switch (action.Split('-', 2))
                {
                    case ["kill", var name]:
                        Service(name).Kill();
                        break;
                    case ["start", var name]:
                        Service(name).Start();
                        break;
                    case ["restart", var name]:
                        Service(name).Kill();
                        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                        Service(name).Start();
                        break;
                    default:
                        throw new ArgumentException($"Unknown fault {action}.");
                }
                applied.Add($"{Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s {action}");
                Console.WriteLine($"Fault: {applied[^1]}");
            }
        }
        catch (OperationCanceledException)
        {
        }
        return applied;
    }

    /// <summary>
    /// Where the time to first audio went, from the turns' timings (the debug view's): p50 / p99 / worst in milliseconds of
    /// the queue (announced → taken by a worker), the transcription (→ words known), the reply (→ first sentence written)
    /// and the speech (→ first audio frame sent to the device).
    /// </summary>
    /// <summary>The stages, read on a connection of their own; they are diagnostics, so a failure to read them is only reported.</summary>
    private static async Task<Dictionary<string, double[]>> StagesOrNoneAsync(string redisAddress)
    {
        try
        {
            await using var redis = await ConnectAsync(redisAddress, CancellationToken.None);
            return await StagesAsync(redis);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or InvalidOperationException)
        {
            Console.Error.WriteLine($"The turns' stage timings could not be read: {ex.Message}");
            return [];
        }
    }

    private static async Task<Dictionary<string, double[]>> StagesAsync(IConnectionMultiplexer redis)
    {
        string[] marks = [TurnTimingFields.UtteranceEnded, TurnTimingFields.Taken, TurnTimingFields.Transcribed, TurnTimingFields.ReplyStarted, TurnTimingFields.FirstAudioSent];
        string[] names = ["queue", "transcription", "first_sentence", "first_audio"];
        var spans = names.ToDictionary(n => n, _ => new List<double>());
        var db = redis.GetDatabase();
        await foreach (var key in redis.GetServers().First().KeysAsync(pattern: RedisKeys.TurnTiming("*"), pageSize: 1000))
        {
            var values = await db.HashGetAsync(key, [.. marks.Select(m => (RedisValue)m)]);
            for (var i = 0; i < names.Length; i++)
            {
                if (!values[i].IsNull && !values[i + 1].IsNull) spans[names[i]].Add((long)values[i + 1] - (long)values[i]);
            }
        }
        return spans.Where(s => s.Value.Count > 0).ToDictionary(s => s.Key, s =>
        {
            var sorted = s.Value.Order().ToList();
            return new[] { Percentile(sorted, 50)!.Value, Percentile(sorted, 99)!.Value, sorted[^1] };
        });
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(string address, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                return await ConnectionMultiplexer.ConnectAsync($"{address},abortConnect=true,connectTimeout=500");
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static async Task WaitUntilReadyAsync(Uri gateway, IConnectionMultiplexer redis, LoadOptions options, List<ServiceProcess> services,
        CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (services.FirstOrDefault(s => s.HasExited) is { } dead)
            {
                throw new InvalidOperationException($"{dead.Name} stopped during start-up; see results/{options.Name}-{dead.Name}.log");
            }
            var listening = (long)((RedisResult[])(await redis.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", Channels.AudioProcessing))!)[1];
            var gatewayUp = false;
            try { gatewayUp = (await http.GetAsync(new Uri(gateway, "/health"), cancellationToken)).IsSuccessStatusCode; }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            if (gatewayUp && listening >= options.Workers) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not ready after 60 s (gateway {(gatewayUp ? "up" : "down")}, {listening} worker(s) listening).");
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>One child per device, each with its own device secret, in a families directory of the run's own.</summary>
    private static List<(string UserId, string Token)> WriteFamilies(string directory, int devices)
    {
        var family = new LocalFamily
        {
            Parents = [new LocalParent("load-parent", "Load Parent", Passcodes.Hash("load-passcode"))],
            Children = [.. Enumerable.Range(1, devices).Select(i => new LocalChild($"load-child-{i}", $"Child {i}", 7, "es", "en", "beginner",
                ["load-parent"], [new LocalDeviceSecret($"load-device-{i}", DeviceTokens.Hash($"secret-{i}"), DateTimeOffset.UtcNow, false)]))],
        };
        File.WriteAllText(Path.Combine(directory, "load.json"), JsonSerializer.Serialize(family, TutorJson.Options));
        return [.. Enumerable.Range(1, devices).Select(i => ($"load-child-{i}", $"load-device-{i}.secret-{i}"))];
    }

    /// <summary>Words in flite's voice with a quarter second of quiet either side, as a push-to-talk child says them.</summary>
    private static byte[] Spoken(string words)
    {
        var quiet = new byte[8000];
        return [.. quiet, .. Tutor.Workers.Speech.FliteVoice.Load("slt").Say(words).Pcm.Span, .. quiet];
    }

    /// <summary>The sample utterance, repeated or cut to the wanted length (PCM16 16 kHz mono).</summary>
    private static byte[] Utterance(double seconds)
    {
        var sample = WavFile.ReadPcm16(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "samples", "hello.wav"))).Samples;
        var audio = new byte[(int)(seconds * 16000) * 2];
        for (var offset = 0; offset < audio.Length; offset += sample.Length)
        {
            sample.AsSpan(0, Math.Min(sample.Length, audio.Length - offset)).CopyTo(audio.AsSpan(offset));
        }
        return audio;
    }
}

/// <param name="EngineFloorMs">The engines' own time to first audio of a model turn; the rest of the measured time is Tutor's.</param>
public sealed record LatencySettings(double TranscriptionMs, double FirstTokenMs, double TokensPerSecond, double SpeechFirstByteMs, double SpeechSpeed,
    double EngineFloorMs);

public sealed record LoadFigures(
    DateTimeOffset At, int Cores, int Devices, int TurnsPerDevice, int Workers, LatencySettings Latencies,
    int TurnsSent, int Answered, int ToldError, int Lost, int AnsweredTwice, Dictionary<string, int> Errors,
    double? FirstAudioP50Ms, double? FirstAudioP90Ms, double? FirstAudioP99Ms, double? ReplyCompleteP50Ms, double? ReplyCompleteP99Ms,
    double GatewayCpuMsPerTurn, double WorkersCpuMsPerTurn, double RedisCpuMsPerTurn, double LoadGeneratorCpuMsPerTurn,
    double TutorCpuMsPerTurn,
    double Seconds, double MachineCpuPercent, double? WorstQueueWaitMs, Dictionary<string, double[]> StagesP50P99MaxMs, int DeviceFailures,
    List<string> ProcessesDied,
    double? WorstWaitMs, int WaitedOver10Seconds, int FramesAfterTheirTurnEnded, int AnsweredOnAResumedSession, List<string> Faults, int Reconnects);
