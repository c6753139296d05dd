using System.Collections.Concurrent;
using System.Diagnostics;

namespace Tutor.Tests.Infrastructure;

/// <summary>
/// Real speech for tests: Debian's espeak-ng says the words, ffmpeg makes them PCM16 16 kHz mono (or flite, for what a
/// recognizer should hear: <see cref="Clearly"/>); noise comes from ffmpeg's generator. Results are cached for the test run.
/// </summary>
public static class TestSpeech
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> Cache = new();

    public static Task<byte[]> SayAsync(string text, int wordsPerMinute = 150) =>
        Cache.GetOrAdd($"say:{wordsPerMinute}:{text}", _ => new(() => RenderAsync(
            $"espeak-ng -v en-us -s {wordsPerMinute} -w {{0}}.wav \"{text.Replace("\"", "")}\" && ffmpeg -loglevel error -y -i {{0}}.wav -ar 16000 -ac 1 -f s16le {{0}}"))).Value;

    /// <summary>
    /// Speech the offline recognizer hears as it would a clear speaker: flite's voices (loaded in-process, 16 kHz), where
    /// espeak-ng's robotic speech is hard for it. For tests of what is recognized; <see cref="SayAsync"/> for tests of
    /// speech as sound (detection, timing).
    /// </summary>
    public static byte[] Clearly(string text, string voice = "slt") =>
        Tutor.Workers.Speech.FliteVoice.Load(voice) is var flite && flite.Say(text) is { SampleRate: 16000 } speech
            ? speech.Pcm.ToArray()
            : throw new InvalidOperationException($"flite's {voice} does not speak at 16 kHz; use slt, awb or rms.");

    /// <summary>Pink noise at <paramref name="amplitude"/> (0–1), like a room with a fan or a street outside.</summary>
    public static Task<byte[]> NoiseAsync(TimeSpan duration, double amplitude) =>
        Cache.GetOrAdd($"noise:{duration.TotalMilliseconds}:{amplitude}", _ => new(() => RenderAsync(
            $"ffmpeg -loglevel error -y -f lavfi -i anoisesrc=color=pink:amplitude={amplitude.ToString(System.Globalization.CultureInfo.InvariantCulture)}:duration={duration.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}:seed=7 -ar 16000 -ac 1 -f s16le {{0}}"))).Value;

    public static byte[] Silence(TimeSpan duration) => new byte[TestAudio.BytesFor(duration)];

    /// <summary>Sample-wise sum of two PCM16 signals (the shorter one padded with silence), clipped.</summary>
    public static byte[] Mix(byte[] a, byte[] b)
    {
        var mixed = new byte[Math.Max(a.Length, b.Length)];
        for (var i = 0; i + 1 < mixed.Length; i += 2)
        {
            var sum = Sample(a, i) + Sample(b, i);
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(mixed.AsSpan(i), (short)Math.Clamp(sum, short.MinValue, short.MaxValue));
        }
        return mixed;

        static int Sample(byte[] pcm, int at) => at + 1 < pcm.Length ? System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(pcm.AsSpan(at)) : 0;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static async Task<byte[]> RenderAsync(string commandTemplate)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tutor-speech-{Guid.NewGuid():N}.pcm");
        try
        {
            var command = string.Format(commandTemplate, path);
            using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardError = true })!;
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"Making test audio failed ({command}): {error}. ./test.sh installs espeak-ng and ffmpeg.");
            }
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".wav");
        }
    }
}
