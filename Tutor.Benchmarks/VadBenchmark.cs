using System.Diagnostics;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Audio;
using Tutor.Gateway.Uplink.Listening;

namespace Tutor.Benchmarks;

/// <summary>
/// What voice-activity detection costs the gateway: the CPU time per second of device audio, and so how many devices one
/// core can listen to at once.
/// </summary>
public static class VadBenchmark
{
    public static async Task RunAsync(int seconds)
    {
        var sample = WavFile.ReadPcm16(await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "samples", "hello.wav"))).Samples;
        var silence = new byte[32000];
        var stream = new MemoryStream();
        while (stream.Length < seconds * 32000L)
        {
            stream.Write(sample);
            stream.Write(silence); // speech and pauses, as a conversation has
        }
        var audio = stream.ToArray()[..(seconds * 32000)];

        using var model = new SileroVadModel(Options.Create(new ListeningOptions()));
        using var detector = new SpeechDetector(model, new ListeningOptions());
        detector.Add(audio.AsSpan(0, 32000 * 2)); // warm-up: the first run of a model is slower

        var frame = 1920; // 60 ms frames, as a device sends them
        var utterances = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var offset = 0; offset < audio.Length; offset += frame)
        {
            utterances += detector.Add(audio.AsSpan(offset, Math.Min(frame, audio.Length - offset))).Count;
        }
        clock.Stop();
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        var result = new
        {
            benchmark = "voice-activity detection (Silero VAD, 32 ms windows)",
            audio_seconds = seconds,
            utterances_found = utterances,
            wall_ms = Math.Round(clock.Elapsed.TotalMilliseconds, 1),
            cpu_ms = Math.Round(cpuUsed.TotalMilliseconds, 1),
            cpu_ms_per_audio_second = Math.Round(cpuUsed.TotalMilliseconds / seconds, 3),
            real_time_factor = Math.Round(clock.Elapsed.TotalSeconds / seconds, 5),
            listening_devices_per_core = (int)(seconds * 1000 / cpuUsed.TotalMilliseconds),
            machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
            measured_at = DateTimeOffset.UtcNow,
        };
        await Results.WriteAsync("vad", result);
    }
}
