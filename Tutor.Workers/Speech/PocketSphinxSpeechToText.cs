using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Audio;

namespace Tutor.Workers.Speech;

/// <summary>
/// Offline recognition with Debian's pocketsphinx and its American English model, constrained by a JSGF grammar of what
/// the current step expects (its answers, the lesson's words, the general phrases), which is what makes it reliable for
/// drills: it can only hear those phrases, and anything else comes out as the closest of them. In free conversation (a
/// chat step) it listens with Debian's general English language model instead, and hears whatever is said — slower,
/// and less sure. English only.
/// </summary>
public sealed class PocketSphinxSpeechToText(IOptions<OfflineSpeechOptions> options, OfflineEngineGate gate, ILogger<PocketSphinxSpeechToText> logger)
    : ISpeechToText, IDisposable
{
    private readonly Lazy<string> _grammars = new(() => Directory.CreateTempSubdirectory("tutor-grammars-").FullName);

    // Word → its first pronunciation (phonemes without stress marks); "read(2)" lines are alternatives.
    private readonly Lazy<Dictionary<string, string[]>> _dictionary = new(() => File.ReadLines(options.Value.Dictionary)
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(parts => parts.Length > 1 && !parts[0].EndsWith(')'))
        .GroupBy(parts => parts[0], StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First()[1..].Select(p => p.TrimEnd('0', '1', '2')).ToArray(), StringComparer.Ordinal));

    public async Task<string> TranscribeAsync(PcmAudio utterance, RecognitionHints hints, CancellationToken cancellationToken)
    {
        if (hints.FreeSpeech) return await RecognizeAsync(utterance, ["-lm", options.Value.LanguageModel], "free speech", cancellationToken);

        // Distractors catch wrong answers, but one that sounds like an expected word would steal it ("three" for "green").
        var expected = Speakable(hints.Phrases.Concat(RecognitionHints.General));
        var expectedWords = expected.SelectMany(p => p.Split(' ')).Distinct().Select(w => _dictionary.Value[w]).ToList();
        var phrases = expected
            .Concat(Speakable(RecognitionHints.Distractors).Except(expected)
                .Where(d => d.Split(' ').All(w => expectedWords.All(e => PhonemeDistance(_dictionary.Value[w], e) > 2))))
            .ToList();
        // The grammar, one per step, is a file written once and reused.
        return await RecognizeAsync(utterance, ["-jsgf", GrammarFile(phrases)], $"{phrases.Count} phrases", cancellationToken);
    }

    /// <summary>The utterance goes in on standard input as raw 16 kHz PCM (the device's format); the words come out.</summary>
    private async Task<string> RecognizeAsync(PcmAudio utterance, string[] search, string among, CancellationToken cancellationToken)
    {
        var speech = options.Value;
        var (exit, output, errors) = await gate.RunAsync(() => ExternalTool.RunAsync(speech.PocketSphinxPath,
            ["-infile", "/dev/stdin", "-samprate", utterance.SampleRate.ToString(), .. search,
             "-hmm", speech.AcousticModel, "-dict", speech.Dictionary, "-logfn", "/dev/null"],
            speech.RecognitionTimeout, cancellationToken, utterance.Samples), cancellationToken);
        if (exit != 0) throw new InvalidOperationException($"pocketsphinx failed (exit {exit}): {errors.Trim()}");

        var heard = string.Join(' ', Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        logger.LogDebug("pocketsphinx heard {Length} characters ({Among})", heard.Length, among);
        return heard;
    }

    /// <summary>The grammar's file, named after its content's hash: written the first time a step needs it, then reused.</summary>
    private string GrammarFile(IEnumerable<string> phrases)
    {
        var grammar = Grammar(phrases);
        var path = Path.Combine(_grammars.Value, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(grammar)))[..32] + ".gram");
        if (!File.Exists(path))
        {
            var temporary = $"{path}.{Guid.NewGuid():N}";
            File.WriteAllText(temporary, grammar);
            File.Move(temporary, path, overwrite: true);
        }
        return path;
    }

    /// <summary>The phrases whose every word the dictionary knows, normalized as the grammar needs them.</summary>
    private List<string> Speakable(IEnumerable<string> phrases) => phrases
        .Select(phrase => string.Join(' ', phrase.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(word => new string(word.Where(c => char.IsLetter(c) || c == '\'').ToArray()))
            .Where(word => word.Length > 0)))
        .Where(phrase => phrase.Length > 0 && phrase.Split(' ').All(_dictionary.Value.ContainsKey))
        .Distinct()
        .ToList();

    private static string Grammar(IEnumerable<string> phrases) =>
        $"#JSGF V1.0;\ngrammar answers;\npublic <answer> = {string.Join(" | ", phrases)};\n";

    public void Dispose()
    {
        if (_grammars.IsValueCreated) Directory.Delete(_grammars.Value, recursive: true);
    }

    private static int PhonemeDistance(string[] a, string[] b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }
        return d[a.Length, b.Length];
    }
}
