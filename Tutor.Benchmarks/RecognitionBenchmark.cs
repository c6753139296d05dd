using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Audio;
using Tutor.Contracts.Devices;
using Tutor.Workers.Lessons;
using Tutor.Workers.Speech;

namespace Tutor.Benchmarks;

/// <summary>
/// How well the offline recognizer hears: (1) the shipped lessons' accepted answers, each spoken by flite's four voices
/// and espeak-ng in several voices and speeds, pocketsphinx listening with that step's grammar — a phrase counts when
/// the recognizer's words match it exactly, and what the lesson does with it (judges it right or wrong, or — the recognizer
/// not sure — asks again) is counted too, per voice family; wrong answers (some the grammar holds, some it does not) in
/// two flite voices, likewise; (2) free speech: the lessons' English sentences, spoken by each voice (festival's too, when installed) and
/// heard with the general language model, as word error rate.
/// </summary>
public static class RecognitionBenchmark
{
    // Some of these are among the recognizer's distractor words, some are not ("dinosaur", "trains", "computer", …).
    private static readonly string[] WrongAnswers =
        ["purple", "banana", "i like trains", "seven", "dinosaur", "my name is tom", "elephant", "computer", "pizza please", "where are we going"];

    /// <summary>What the lesson does with an answer: judges it right or wrong, or is not sure and asks again.</summary>
    private static string Outcome(Transcript heard, LessonStep step) =>
        heard.Confidence < new LessonOptions().MinConfidence ? "asked again" : AnswerMatcher.Judge(heard.Text, step) == Judgement.Correct ? "right" : "wrong";

    private static readonly (string Voice, int Speed)[] EspeakSpeakers = [("en-us", 140), ("en-us", 175), ("en-gb", 140), ("en-us+f3", 150)];
    private static readonly string[] FliteSpeakers = ["slt", "kal16", "awb", "rms"];

    private static List<(string Family, string Name, Func<string, Task<byte[]>> Say)> Speakers() =>
    [
        .. FliteSpeakers.Select(v => ("flite", $"flite {v}", (Func<string, Task<byte[]>>)(text => FliteAsync(text, v)))),
        .. EspeakSpeakers.Select(s => ("espeak-ng", $"espeak-ng {s.Voice} {s.Speed}", (Func<string, Task<byte[]>>)(text => EspeakAsync(text, s.Voice, s.Speed)))),
    ];

    public static async Task RunAsync()
    {
        var lessonsDirectory = Path.Combine(AppContext.BaseDirectory, "lessons");
        var lessons = LessonCatalog.Load(lessonsDirectory).Where(l => l.TargetLanguage == "en");
        var options = Options.Create(new OfflineSpeechOptions());
        using var recognizer = new PocketSphinxSpeechToText(options, new OfflineEngineGate(options), NullLogger<PocketSphinxSpeechToText>.Instance);
        int phrases = 0, exact = 0, judgedRight = 0, askedAgain = 0, wrongSpoken = 0, falselyAccepted = 0, wrongAskedAgain = 0;
        var misses = new List<string>();
        var families = new Dictionary<string, (int Phrases, int Judged)>();
        var clock = Stopwatch.StartNew();
        foreach (var lesson in lessons)
        {
            foreach (var step in lesson.Steps.Where(s => s.Kind == StepKinds.Ask))
            {
                var hints = new RecognitionHints([.. step.Expect, .. lesson.Vocabulary], lesson.TargetLanguage);
                foreach (var answer in step.Expect)
                {
                    foreach (var (family, name, say) in Speakers())
                    {
                        var heard = await recognizer.TranscribeAsync(new PcmAudio(await say(answer), 16000, 1), hints, CancellationToken.None);
                        phrases++;
                        if (AnswerMatcher.Normalize(heard.Text) == AnswerMatcher.Normalize(answer)) exact++;
                        else misses.Add($"{lesson.Id}/{step.Id} [{name}] \"{answer}\" heard as \"{heard.Text}\"");
                        var outcome = Outcome(heard, step);
                        var right = outcome == "right";
                        if (right) judgedRight++;
                        if (outcome == "asked again")
                        {
                            askedAgain++;
                            misses.Add($"{lesson.Id}/{step.Id} [{name}] \"{answer}\" asked again (confidence {heard.Confidence:F2})");
                        }
                        var tally = families.GetValueOrDefault(family);
                        families[family] = (tally.Phrases + 1, tally.Judged + (right ? 1 : 0));
                    }
                }

                // Words the step does not expect: a recognizer held to a grammar may still hear them as an answer.
                foreach (var wrong in WrongAnswers)
                {
                    foreach (var voice in new[] { "slt", "awb" })
                    {
                        var heard = await recognizer.TranscribeAsync(new PcmAudio(await FliteAsync(wrong, voice), 16000, 1), hints, CancellationToken.None);
                        wrongSpoken++;
                        switch (Outcome(heard, step))
                        {
                            case "right":
                                falselyAccepted++;
                                misses.Add($"{lesson.Id}/{step.Id} [flite {voice}] wrong answer \"{wrong}\" heard as \"{heard.Text}\" and accepted");
                                break;
                            case "asked again":
                                wrongAskedAgain++;
                                break;
                        }
                    }
                }
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var freeSpeech = await FreeSpeechAsync(recognizer, lessons);
        await Results.WriteAsync("recognition", new
        {
            benchmark = "offline recognition of the shipped English lessons' accepted answers (flite and espeak-ng voices → pocketsphinx with the step's grammar), and of their sentences as free speech",
            phrases,
            exact_matches = exact,
            exact_accuracy = Math.Round((double)exact / phrases, 3),
            judged_correct = judgedRight,
            judged_accuracy = Math.Round((double)judgedRight / phrases, 3),
            right_answers_asked_again = askedAgain,
            wrong_answers_spoken = wrongSpoken,
            wrong_answers_accepted = falselyAccepted,
            false_acceptance = Math.Round((double)falselyAccepted / wrongSpoken, 3),
            wrong_answers_asked_again = wrongAskedAgain,
            wrong_answers_judged_wrong = wrongSpoken - falselyAccepted - wrongAskedAgain,
            seconds_per_phrase = Math.Round(seconds / (phrases + wrongSpoken), 3),
            judged_accuracy_by_voice = families.ToDictionary(f => f.Key, f => Math.Round((double)f.Value.Judged / f.Value.Phrases, 3)),
            speakers = Speakers().Select(s => s.Name),
            free_speech = freeSpeech,
            misses,
            measured_at = DateTimeOffset.UtcNow,
        });
    }

    /// <summary>Word error rate of free speech per voice: the lessons' English sentences heard with the general language model.</summary>
    private static async Task<List<object>> FreeSpeechAsync(PocketSphinxSpeechToText recognizer, IEnumerable<Lesson> lessons)
    {
        var sentences = lessons.SelectMany(l => l.Steps).Select(s => s.Say)
            .SelectMany(text => text.Split(['.', '!', '?'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(s => s.Split(' ').Length >= 3 && s.All(c => c < 128)).Distinct().Take(20).ToList();
        var voices = new List<(string Name, Func<string, Task<byte[]>> Say)>
        {
            ("flite slt", text => FliteAsync(text, "slt")),
            ("flite awb", text => FliteAsync(text, "awb")),
            ("espeak-ng en-us 140", text => EspeakAsync(text, "en-us", 140)),
        };
        if (File.Exists("/usr/bin/text2wave") && Directory.Exists("/usr/share/festival/voices/us/cmu_us_slt_arctic_hts")) voices.Add(("festival slt HTS", FestivalAsync));

        var free = new RecognitionHints([], "en", FreeSpeech: true);
        var rows = new List<object>();
        foreach (var (name, say) in voices)
        {
            int errors = 0, words = 0;
            var clock = Stopwatch.StartNew();
            var speech = 0.0;
            foreach (var sentence in sentences)
            {
                var pcm = await say(sentence);
                speech += pcm.Length / 32000.0;
                var heard = (await recognizer.TranscribeAsync(new PcmAudio(pcm, 16000, 1), free, CancellationToken.None)).Text;
                var reference = AnswerMatcher.Normalize(sentence).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                errors += EditDistance.Between(reference, AnswerMatcher.Normalize(heard).Split(' ', StringSplitOptions.RemoveEmptyEntries));
                words += reference.Length;
            }
            rows.Add(new { voice = name, sentences = sentences.Count, words, word_error_rate = Math.Round((double)errors / words, 3),
                decoding_real_time_factor = Math.Round(clock.Elapsed.TotalSeconds / speech, 3) });
        }
        return rows;
    }

    private static Task<byte[]> FliteAsync(string text, string voice) =>
        DeviceSpeech.ToDevicePcmAsync(AsAsync(FliteVoice.Load(voice).Say(text)), AudioParams.Pcm16Mono16k, CancellationToken.None);

    private static async IAsyncEnumerable<SpeechChunk> AsAsync(SpeechChunk chunk)
    {
        yield return chunk;
        await Task.CompletedTask;
    }

    private static async Task<byte[]> EspeakAsync(string text, string voice, int speed)
    {
        var (exit, wav, errors) = await ExternalTool.RunAsync("espeak-ng", ["-v", voice, "-s", speed.ToString(), "--stdout", "--", text], TimeSpan.FromSeconds(30), CancellationToken.None);
        return exit == 0
            ? await DeviceSpeech.ToDevicePcmAsync(DeviceSpeech.FromWav(wav), AudioParams.Pcm16Mono16k, CancellationToken.None)
            : throw new InvalidOperationException(errors);
    }

    private static async Task<byte[]> FestivalAsync(string text)
    {
        // text2wave seeks back into its output to fill in the sizes: a file, in this benchmark only.
        var path = Path.Combine(Path.GetTempPath(), $"tutor-festival-{Guid.NewGuid():N}.wav");
        await ExternalTool.RunAsync("text2wave", ["-eval", "(voice_cmu_us_slt_arctic_hts)", "-o", path], TimeSpan.FromSeconds(60), CancellationToken.None,
            System.Text.Encoding.UTF8.GetBytes(text));
        var wav = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        return await DeviceSpeech.ToDevicePcmAsync(DeviceSpeech.FromWav(wav), AudioParams.Pcm16Mono16k, CancellationToken.None);
    }
}
