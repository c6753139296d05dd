using System.Buffers.Binary;
using System.Diagnostics;
using Tutor.Contracts.Devices;
using Tutor.Workers.Speech;

namespace Tutor.Benchmarks;

/// <summary>
/// What resampling the tutor's speech (OpenAI's 24 kHz, espeak-ng's 22.05 kHz) to the device's 16 kHz costs and how clean
/// it is, for each quality of Speex's resampler: CPU per second of speech, the error on a 1 kHz tone (signal-to-noise),
/// and how much of a 10 kHz tone — above the device's 8 kHz Nyquist limit — is folded back into what the child hears.
/// </summary>
public static class ResamplerBenchmark
{
    public static async Task RunAsync()
    {
        var rows = new List<object>();
        // Twice over, keeping the second pass: the first runs partly on code the JIT has not optimized yet.
        for (var pass = 0; pass < 2; pass++)
        foreach (var inputRate in new[] { 24000, 22050 })
        {
            foreach (var quality in new[] { 0, 2, 3, 4, 5, 7, 10 })
            {
                var speech = Tone(inputRate, 1000, 30);
                await ConvertAsync(Tone(inputRate, 1000, 1), inputRate, quality); // warm-up
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var output = await ConvertAsync(speech, inputRate, quality);
                var costMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
                var elapsed = clock.Elapsed.TotalMilliseconds;

                if (pass == 0) continue;
                rows.Add(new
                {
                    input_rate = inputRate,
                    quality,
                    cpu_ms_per_audio_second = Math.Round(Math.Max(costMs, elapsed) / 30, 3),
                    snr_db_1khz = Math.Round(SignalToNoise(output, 1000), 1),
                    alias_rejection_db_10khz = Math.Round(-Level(await ConvertAsync(Tone(inputRate, 10000, 2), inputRate, quality)), 1),
                });
            }
        }
        await Results.WriteAsync("resampler", new { chosen_quality = DeviceSpeech.ResamplerQuality, rows });
    }

    private static Task<byte[]> ConvertAsync(byte[] pcm, int rate, int quality) =>
        DeviceSpeech.ToDevicePcmAsync(Pieces(pcm, rate), AudioParams.Pcm16Mono16k, CancellationToken.None, quality);

    private static async IAsyncEnumerable<SpeechChunk> Pieces(byte[] pcm, int rate)
    {
        // 100 ms pieces, as a speech endpoint streams them.
        var piece = rate / 10 * 2;
        for (var offset = 0; offset < pcm.Length; offset += piece)
        {
            yield return new SpeechChunk(pcm.AsMemory(offset, Math.Min(piece, pcm.Length - offset)), rate);
        }
        await Task.CompletedTask;
    }

    private static byte[] Tone(int rate, double frequency, double seconds)
    {
        var samples = (int)(rate * seconds);
        var pcm = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), (short)(10000 * Math.Sin(2 * Math.PI * frequency * i / rate)));
        }
        return pcm;
    }

    /// <summary>The tone's power against everything else, fitting its phase and amplitude (the resampler may shift it).</summary>
    private static double SignalToNoise(byte[] pcm, double frequency)
    {
        var x = Samples(pcm)[1600..^1600]; // away from the edges
        double sinSum = 0, cosSum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sinSum += x[i] * Math.Sin(2 * Math.PI * frequency * i / 16000);
            cosSum += x[i] * Math.Cos(2 * Math.PI * frequency * i / 16000);
        }
        double a = 2 * sinSum / x.Length, b = 2 * cosSum / x.Length, signal = 0, noise = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var fit = a * Math.Sin(2 * Math.PI * frequency * i / 16000) + b * Math.Cos(2 * Math.PI * frequency * i / 16000);
            signal += fit * fit;
            noise += (x[i] - fit) * (x[i] - fit);
        }
        return 10 * Math.Log10(signal / Math.Max(noise, 1e-9));
    }

    /// <summary>The level of what came out, in dB relative to the 10,000-amplitude tone that went in.</summary>
    private static double Level(byte[] pcm)
    {
        var x = Samples(pcm)[800..^800];
        var rms = Math.Sqrt(x.Average(v => v * v));
        return 20 * Math.Log10(Math.Max(rms, 1e-3) / (10000 / Math.Sqrt(2)));
    }

    private static double[] Samples(byte[] pcm) =>
        Enumerable.Range(0, pcm.Length / 2).Select(i => (double)BinaryPrimitives.ReadInt16LittleEndian(pcm.AsSpan(i * 2))).ToArray();
}
