using System.Text;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Audio;

namespace Tutor.Workers.Speech;

/// <summary>
/// Offline recognition with Debian's pocketsphinx and its American English model, constrained by a JSGF grammar of what
/// the current step expects (its answers, the lesson's words, the general phrases), which is what makes it reliable for
/// drills. It can only hear those phrases, and only English: anything else comes out as the closest of them.
/// </summary>
public sealed class PocketSphinxSpeechToText(IOptions<OfflineSpeechOptions> options, ILogger<PocketSphinxSpeechToText> logger) : ISpeechToText
{
    private readonly Lazy<HashSet<string>> _dictionary = new(() => File.ReadLines(options.Value.Dictionary)
        .Select(line => line.Split(' ', 2)[0])
        .Where(word => !word.EndsWith(')')) // alternative pronunciations: "read(2)"
        .ToHashSet(StringComparer.Ordinal));

    public async Task<string> TranscribeAsync(PcmAudio utterance, RecognitionHints hints, CancellationToken cancellationToken)
    {
        var phrases = Speakable(hints.Phrases.Concat(RecognitionHints.General));
        var workspace = Directory.CreateTempSubdirectory("tutor-stt-");
        try
        {
            var audio = Path.Combine(workspace.FullName, "utterance.wav");
            var grammar = Path.Combine(workspace.FullName, "answers.gram");
            await File.WriteAllBytesAsync(audio, WavFile.FromPcm16(utterance.Samples, utterance.SampleRate, utterance.Channels), cancellationToken);
            await File.WriteAllTextAsync(grammar, Grammar(phrases), cancellationToken);

            var speech = options.Value;
            var (exit, output, errors) = await ExternalTool.RunAsync(speech.PocketSphinxPath,
                ["-infile", audio, "-jsgf", grammar, "-hmm", speech.AcousticModel, "-dict", speech.Dictionary, "-logfn", "/dev/null"],
                speech.RecognitionTimeout, cancellationToken);
            if (exit != 0) throw new InvalidOperationException($"pocketsphinx failed (exit {exit}): {errors.Trim()}");

            var heard = string.Join(' ', Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            logger.LogDebug("pocketsphinx heard \"{Heard}\" among {Count} phrases", heard, phrases.Count);
            return heard;
        }
        finally
        {
            workspace.Delete(recursive: true);
        }
    }

    /// <summary>The phrases whose every word the dictionary knows, normalized as the grammar needs them.</summary>
    private List<string> Speakable(IEnumerable<string> phrases) => phrases
        .Select(phrase => string.Join(' ', phrase.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(word => new string(word.Where(c => char.IsLetter(c) || c == '\'').ToArray()))
            .Where(word => word.Length > 0)))
        .Where(phrase => phrase.Length > 0 && phrase.Split(' ').All(_dictionary.Value.Contains))
        .Distinct()
        .ToList();

    private static string Grammar(IEnumerable<string> phrases) =>
        $"#JSGF V1.0;\ngrammar answers;\npublic <answer> = {string.Join(" | ", phrases)};\n";
}
