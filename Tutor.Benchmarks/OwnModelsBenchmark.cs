using System.Diagnostics;
using LLama;
using LLama.Common;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tutor.Benchmarks.Models;
using Tutor.Contracts.Audio;
using Tutor.Contracts.Families;
using Tutor.Workers.Lessons;
using Tutor.Workers.Providers;
using Tutor.Workers.Replies;
using Tutor.Workers.Speech;

namespace Tutor.Benchmarks;

/// <summary>
/// What an operator's own model costs in the worker on this machine (<c>Providers:SpeechToText:Kind whisper</c>,
/// <c>Providers:Chat:Kind llama</c>), through the worker's own classes. No real weights can be downloaded here, so the
/// files are random weights of the real models' shapes and number formats (<see cref="RandomModels"/>): the arithmetic —
/// and so the time and CPU — is a real model's; the words are not. Whisper: load, then a child's utterance (flite
/// speech, about 3 s) transcribed with all cores, with the audio context fitted to the utterance (the default) and with
/// Whisper's whole 30 s window. Random weights make whisper.cpp fall back to higher temperatures (decoding again) more
/// often than a trained model would, so its figures are an upper bound. Llama (Qwen2.5-0.5B's shape, Q4_0): load, then one tutor answer for a
/// lesson step — time to its first sentence and to its end — and the model's own rates for reading the prompt and
/// writing, from which the time to a first sentence with a real tokenizer follows (the random file's vocabulary spells
/// most text byte by byte, three to four times the tokens of a real one).
/// </summary>
public static class OwnModelsBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("tutor-bench-models-").FullName;
        try
        {
            var rows = new List<object>();
            foreach (var size in args.Length > 0 ? args : ["tiny.en", "base.en", "llama-0.5b-q4_0"])
            {
                if (size.StartsWith("llama"))
                {
                    rows.Add(await LlamaAsync(directory));
                    continue;
                }
                rows.Add(await WhisperAsync(directory, size, fitAudioContext: true));
                rows.Add(await WhisperAsync(directory, size, fitAudioContext: false));
            }
            await Results.WriteAsync("own-models", new { at = DateTimeOffset.UtcNow, cores = Environment.ProcessorCount, models = rows });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<object> WhisperAsync(string directory, string size, bool fitAudioContext)
    {
        var (state, layers, heads) = RandomModels.WhisperSizes[size];
        var path = Path.Combine(directory, $"ggml-{size}.bin");
        if (!File.Exists(path)) RandomModels.WriteWhisper(path, state, layers, heads);
        var speech = FliteVoice.Load("slt").Say("What colour is the sky? The sky is blue.");
        var utterance = new PcmAudio(speech.Pcm.ToArray(), speech.SampleRate, 1);

        var (whisper, load, loadCpu) = Measure(() => new WhisperSpeechToText(new ProviderChoice { ModelPath = path, FitAudioContext = fitAudioContext }, NullLogger<WhisperSpeechToText>.Instance));
        using (whisper)
        {
            var hints = new RecognitionHints(["blue", "red", "green"], "en");
            await whisper.TranscribeAsync(utterance, hints, CancellationToken.None); // warm
            var times = new List<double>();
            var cpuBefore = CpuClock.SelfAndChildren();
            const int runs = 3;
            var characters = 0;
            for (var i = 0; i < runs; i++)
            {
                var clock = Stopwatch.StartNew();
                characters += (await whisper.TranscribeAsync(utterance, hints, CancellationToken.None)).Text.Length;
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            var cpu = (CpuClock.SelfAndChildren() - cpuBefore).TotalMilliseconds / runs;
            times.Sort();
            return new
            {
                model = $"whisper {size} (f16, random weights), {(fitAudioContext ? "audio context fitted to the utterance" : "whole 30 s window")}",
                file_mb = new FileInfo(path).Length / 1_000_000,
                load_ms = Math.Round(load),
                load_cpu_ms = Math.Round(loadCpu),
                utterance_seconds = Math.Round(utterance.Duration.TotalSeconds, 2),
                transcribe_ms_p50 = Math.Round(times[runs / 2]),
                transcribe_cpu_ms = Math.Round(cpu),
                characters_out_per_utterance = characters / runs,
            };
        }
    }

    private static async Task<object> LlamaAsync(string directory)
    {
        var path = Path.Combine(directory, "qwen2.5-0.5b-shape-q4_0.gguf");
        RandomModels.WriteLlama(path, embedding: 896, layers: 24, heads: 14, kvHeads: 2, feedForward: 4864, extraTokens: 151_600, quantized: true);
        var (tutor, load, loadCpu) = Measure(() => new LlamaTutor(new ProviderChoice { ModelPath = path, ContextSize = 4096 }, NullLogger<LlamaTutor>.Instance));
        using (tutor)
        {
            var engine = new LessonEngine(new LessonCatalog(
                Options.Create(new LessonOptions { Directory = Path.Combine(AppContext.BaseDirectory, "lessons") }), new HostingEnvironment { ContentRootPath = "/" }));
            var child = new ChildProfile("bench", "Mia", 7, "es", "en", "beginner", [], []);
            var progress = engine.Apply(null, child, Judgement.Unclear).Progress;
            var (lesson, step) = engine.Position(progress)!.Value;
            var request = TutorRequest.For(engine, child, lesson, step, progress, "red");

            var cpuBefore = CpuClock.SelfAndChildren();
            var clock = Stopwatch.StartNew();
            double? firstSentence = null;
            var characters = 0;
            await foreach (var tutorEvent in tutor.RespondAsync(request, CancellationToken.None))
            {
                if (tutorEvent is not Said said) continue;
                firstSentence ??= clock.Elapsed.TotalMilliseconds;
                characters += said.Sentence.Length;
            }
            var total = clock.Elapsed.TotalMilliseconds;
            var answerCpu = (CpuClock.SelfAndChildren() - cpuBefore).TotalMilliseconds;

            // The model's own rates, free of the random vocabulary: reading the prompt (tokens a second) and writing.
            var parameters = new ModelParams(path) { ContextSize = 4096, Threads = Environment.ProcessorCount, BatchThreads = Environment.ProcessorCount };
            using var weights = LLamaWeights.LoadFromFile(parameters);
            var prompt = LlamaTutor.PromptFor(weights, request);
            var promptTokens = weights.Tokenize(prompt, true, true, System.Text.Encoding.UTF8).Length;
            async Task<double> TimeAsync(int tokens)
            {
                var executor = new StatelessExecutor(weights, parameters);
                var run = Stopwatch.StartNew();
                await foreach (var _ in executor.InferAsync(prompt, new InferenceParams { MaxTokens = tokens }, CancellationToken.None)) { }
                return run.Elapsed.TotalMilliseconds;
            }
            var read = await TimeAsync(1);
            var written = await TimeAsync(65) - read;
            var readPerSecond = promptTokens / (read / 1000);
            var writtenPerSecond = 64 / (written / 1000);
            // A real tokenizer makes about one token of four characters of English; a first sentence is about 12 tokens.
            var realPromptTokens = prompt.Length / 4;
            return new
            {
                model = "llama, Qwen2.5-0.5B's shape, Q4_0 (random weights, byte-level vocabulary)",
                file_mb = new FileInfo(path).Length / 1_000_000,
                load_ms = Math.Round(load),
                load_cpu_ms = Math.Round(loadCpu),
                prompt_characters = TutorPrompt.System(request).Length,
                first_sentence_ms = Math.Round(firstSentence ?? -1),
                answer_ms = Math.Round(total),
                answer_cpu_ms = Math.Round(answerCpu),
                reply_characters = characters,
                characters_per_second = Math.Round(characters / (total / 1000), 1),
                prompt_tokens_here = promptTokens,
                prompt_tokens_per_second = Math.Round(readPerSecond),
                written_tokens_per_second = Math.Round(writtenPerSecond, 1),
                prompt_tokens_with_a_real_tokenizer_about = realPromptTokens,
                first_sentence_ms_with_a_real_tokenizer_about = Math.Round(realPromptTokens / readPerSecond * 1000 + 12 / writtenPerSecond * 1000),
            };
        }
    }

    private static (T Value, double Ms, double CpuMs) Measure<T>(Func<T> load)
    {
        var cpuBefore = CpuClock.SelfAndChildren();
        var clock = Stopwatch.StartNew();
        var value = load();
        return (value, clock.Elapsed.TotalMilliseconds, (CpuClock.SelfAndChildren() - cpuBefore).TotalMilliseconds);
    }
}
