using System.Diagnostics;
using System.Text;
using Tutor.Contracts.Audio;
using Tutor.Workers.Lessons;
using Tutor.Workers.Speech;

namespace Tutor.Benchmarks;

/// <summary>
/// The offline English voices on the shipped lessons' English sentences: flite's <c>slt</c> and espeak-ng loaded
/// in-process (libflite, libespeak-ng), espeak-ng as a process per sentence (as the worker used it before), and festival with the HTS <c>slt</c> voice
/// (a process per sentence; only measured when installed). For each: time from asking to having the sentence's audio
/// (the voice's share of "first audio"), and CPU per second of speech produced — the worker's own and its children's.
/// </summary>
public static class VoicesBenchmark
{
    public static async Task RunAsync()
    {
        var lessons = LessonCatalog.Load(Path.Combine(AppContext.BaseDirectory, "lessons"));
        var sentences = lessons.Where(l => l.TargetLanguage == "en" || l.InstructionLanguage == "en")
            .SelectMany(l => l.Steps).Select(s => s.Say).Where(s => s.Length > 0 && s.All(c => c < 128))
            .SelectMany(SentenceSplitterLike).Distinct().Take(40).ToList();

        var engines = new List<(string Name, Func<string, Task<(byte[] Pcm, int Rate)>> Say)>
        {
            ("flite slt (in-process)", text => Task.FromResult(FliteSay(text))),
            ("espeak-ng en-us (in-process)", text => Task.FromResult(EspeakSay(text))),
            ("espeak-ng en-us (process per sentence, as before)", async text =>
            {
                var (_, wav, _) = await ExternalTool.RunAsync("espeak-ng", ["-v", "en-us", "-s", "140", "--stdout", "--", text], TimeSpan.FromSeconds(30), CancellationToken.None);
                var pcm = WavFile.ReadPcm16(wav);
                return (pcm.Samples, pcm.SampleRate);
            }),
        };
        if (File.Exists("/usr/bin/text2wave") && Directory.Exists("/usr/share/festival/voices/us/cmu_us_slt_arctic_hts"))
        {
            engines.Add(("festival slt HTS (process per sentence)", async text =>
            {
                // text2wave cannot write a valid WAV to a pipe (it seeks back to fill in the sizes): a file, here only.
                var path = Path.Combine(Path.GetTempPath(), $"tutor-voice-{Guid.NewGuid():N}.wav");
                await ExternalTool.RunAsync("text2wave", ["-eval", "(voice_cmu_us_slt_arctic_hts)", "-o", path],
                    TimeSpan.FromSeconds(60), CancellationToken.None, Encoding.UTF8.GetBytes(text));
                var pcm = WavFile.ReadPcm16(await File.ReadAllBytesAsync(path));
                File.Delete(path);
                return (pcm.Samples, pcm.SampleRate);
            }));
        }

        var rows = new List<object>();
        foreach (var (name, say) in engines)
        {
            await say("Warm up."); // loads the voice (flite) and the binaries into the page cache
            var latencies = new List<double>();
            var speech = 0.0;
            var cpuBefore = CpuClock.SelfAndChildren();
            var clock = Stopwatch.StartNew();
            foreach (var sentence in sentences)
            {
                var one = Stopwatch.StartNew();
                var (pcm, rate) = await say(sentence);
                latencies.Add(one.Elapsed.TotalMilliseconds);
                speech += pcm.Length / 2.0 / rate;
            }
            var cpu = (CpuClock.SelfAndChildren() - cpuBefore).TotalMilliseconds;
            latencies.Sort();
            rows.Add(new
            {
                engine = name,
                sentences = sentences.Count,
                speech_seconds = Math.Round(speech, 1),
                sentence_audio_ms_p50 = Math.Round(latencies[latencies.Count / 2]),
                sentence_audio_ms_p90 = Math.Round(latencies[(int)(latencies.Count * 0.9)]),
                real_time_factor = speech > 0 ? Math.Round(clock.Elapsed.TotalSeconds / speech, 3) : -1,
                cpu_ms_per_speech_second = speech > 0 ? Math.Round(cpu / speech, 1) : -1,
            });
        }
        await Results.WriteAsync("voices", new { at = DateTimeOffset.UtcNow, cores = Environment.ProcessorCount, voices = rows });
    }

    private static (byte[] Pcm, int Rate) EspeakSay(string text)
    {
        var chunk = EspeakLibrary.Say(text, "en-us", 140);
        return (chunk.Pcm.ToArray(), chunk.SampleRate);
    }

    private static (byte[] Pcm, int Rate) FliteSay(string text)
    {
        var chunk = FliteVoice.Load("slt").Say(text);
        return (chunk.Pcm.ToArray(), chunk.SampleRate);
    }

    private static IEnumerable<string> SentenceSplitterLike(string text) =>
        text.Split(['.', '!', '?'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(s => s.Length > 3).Select(s => s + ".");
}
