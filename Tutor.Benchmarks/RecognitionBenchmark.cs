using System.Diagnostics;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Audio;
using Tutor.Contracts.Devices;
using Tutor.Workers.Lessons;
using Tutor.Workers.Speech;

namespace Tutor.Benchmarks;

/// <summary>
/// How well the offline recognizer hears the shipped lessons' accepted answers: each English answer of each step is
/// spoken by espeak-ng in several voices and speeds, and pocketsphinx listens with that step's grammar. A phrase counts
/// when the recognizer's words match it exactly; the tutor's judgement (which tolerates more) is counted too.
/// </summary>
public static class RecognitionBenchmark
{
    // Some of these are among the recognizer's distractor words, some are not ("dinosaur", "trains").
    private static readonly string[] WrongAnswers = ["purple", "banana", "i like trains", "seven", "dinosaur", "my name is tom"];

    private static readonly (string Voice, int Speed)[] Speakers = [("en-us", 140), ("en-us", 175), ("en-gb", 140), ("en-us+f3", 150)];

    public static async Task RunAsync()
    {
        var lessonsDirectory = Path.Combine(AppContext.BaseDirectory, "lessons");
        var lessons = LessonCatalog.Load(lessonsDirectory).Where(l => l.TargetLanguage == "en");
        var options = Options.Create(new OfflineSpeechOptions());
        using var recognizer = new PocketSphinxSpeechToText(options, new OfflineEngineGate(options), NullLogger<PocketSphinxSpeechToText>.Instance);
        int phrases = 0, exact = 0, judgedRight = 0, wrongSpoken = 0, falselyAccepted = 0;
        var misses = new List<string>();
        var clock = Stopwatch.StartNew();
        foreach (var lesson in lessons)
        {
            foreach (var step in lesson.Steps.Where(s => s.Kind == StepKinds.Ask))
            {
                var hints = new RecognitionHints([.. step.Expect, .. lesson.Vocabulary], lesson.TargetLanguage);
                foreach (var answer in step.Expect)
                {
                    foreach (var (voice, speed) in Speakers)
                    {
                        var wav = await SpeakAsync(answer, voice, speed);
                        var pcm = await DeviceSpeech.ToDevicePcmAsync(DeviceSpeech.FromWav(wav), AudioParams.Pcm16Mono16k, CancellationToken.None);
                        var heard = await recognizer.TranscribeAsync(new PcmAudio(pcm, 16000, 1), hints, CancellationToken.None);
                        phrases++;
                        if (AnswerMatcher.Normalize(heard) == AnswerMatcher.Normalize(answer)) exact++;
                        else misses.Add($"{lesson.Id}/{step.Id} [{voice} {speed}] \"{answer}\" heard as \"{heard}\"");
                        if (AnswerMatcher.Judge(heard, step) == Judgement.Correct) judgedRight++;
                    }
                }

                // Words the step does not expect: a recognizer held to a grammar may still hear them as an answer.
                foreach (var wrong in WrongAnswers)
                {
                    var wav = await SpeakAsync(wrong, "en-us", 140);
                    var pcm = await DeviceSpeech.ToDevicePcmAsync(DeviceSpeech.FromWav(wav), AudioParams.Pcm16Mono16k, CancellationToken.None);
                    var heard = await recognizer.TranscribeAsync(new PcmAudio(pcm, 16000, 1), hints, CancellationToken.None);
                    wrongSpoken++;
                    if (AnswerMatcher.Judge(heard, step) == Judgement.Correct)
                    {
                        falselyAccepted++;
                        misses.Add($"{lesson.Id}/{step.Id} wrong answer \"{wrong}\" heard as \"{heard}\" and accepted");
                    }
                }
            }
        }

        await Results.WriteAsync("recognition", new
        {
            benchmark = "offline recognition of the shipped English lessons' accepted answers (espeak-ng → pocketsphinx with the step's grammar)",
            phrases,
            exact_matches = exact,
            exact_accuracy = Math.Round((double)exact / phrases, 3),
            judged_correct = judgedRight,
            judged_accuracy = Math.Round((double)judgedRight / phrases, 3),
            wrong_answers_spoken = wrongSpoken,
            wrong_answers_accepted = falselyAccepted,
            false_acceptance = Math.Round((double)falselyAccepted / wrongSpoken, 3),
            seconds_per_phrase = Math.Round(clock.Elapsed.TotalSeconds / (phrases + wrongSpoken), 3),
            speakers = Speakers.Select(s => $"{s.Voice} at {s.Speed} wpm"),
            misses,
            measured_at = DateTimeOffset.UtcNow,
        });
    }

    private static async Task<byte[]> SpeakAsync(string text, string voice, int speed)
    {
        var (exit, wav, errors) = await ExternalTool.RunAsync("espeak-ng", ["-v", voice, "-s", speed.ToString(), "--stdout", "--", text], TimeSpan.FromSeconds(30), CancellationToken.None);
        return exit == 0 ? wav : throw new InvalidOperationException(errors);
    }
}
