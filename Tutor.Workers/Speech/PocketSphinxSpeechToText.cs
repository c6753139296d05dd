using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Audio;

namespace Tutor.Workers.Speech;

/// <summary>
/// Offline recognition with Debian's pocketsphinx and its American English model, constrained by a JSGF grammar of what
/// the current step expects (its answers, the lesson's words, the general phrases), which is what makes it reliable for
/// drills: it can only hear those phrases, and anything else comes out as the closest of them. So the general English
/// language model listens to the same audio too: where the grammar's phrase fits far worse than what the general model
/// heard, the child said something the grammar does not hold — the transcript is the general model's words, with a low
/// confidence, and the lesson asks again instead of judging a phrase the child never said. In free conversation (a
/// chat step) only the general model listens. English only. The decoders are loaded into the worker once (one per concurrent recognition, made as
/// needed) and kept, with each step's grammar added once: an utterance costs its decoding only.
/// </summary>
public sealed class PocketSphinxSpeechToText(IOptions<OfflineSpeechOptions> options, OfflineEngineGate gate, ILogger<PocketSphinxSpeechToText> logger)
    : ISpeechToText, IDisposable
{
    private const int SampleRate = 16000;
    private readonly ConcurrentBag<PocketSphinxDecoder> _idle = [];

    // Word → its first pronunciation (phonemes without stress marks); "read(2)" lines are alternatives.
    private readonly Lazy<Dictionary<string, string[]>> _dictionary = new(() => File.ReadLines(options.Value.Dictionary)
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(parts => parts.Length > 1 && !parts[0].EndsWith(')'))
        .GroupBy(parts => parts[0], StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First()[1..].Select(p => p.TrimEnd('0', '1', '2')).ToArray(), StringComparer.Ordinal));

    /// <summary>Loads the first decoder now (at the worker's start), so a missing model stops the worker there, not a child's turn.</summary>
    public void Prepare() => _idle.Add(NewDecoder());

    public async Task<Transcript> TranscribeAsync(PcmAudio utterance, RecognitionHints hints, CancellationToken cancellationToken)
    {
        if (utterance.SampleRate != SampleRate || utterance.Channels != 1)
        {
            throw new InvalidDataException($"pocketsphinx hears 16 kHz mono; this utterance is {utterance.SampleRate} Hz, {utterance.Channels} channel(s).");
        }
        if (hints.FreeSpeech) return new Transcript(await RecognizeAsync(utterance, PocketSphinxDecoder.FreeSpeech, grammar: null, "free speech", cancellationToken));

        // Distractors catch wrong answers, but one that sounds like an expected word would steal it ("three" for "green").
        var expected = Speakable(hints.Phrases.Concat(RecognitionHints.General));
        var expectedWords = expected.SelectMany(p => p.Split(' ')).Distinct().Select(w => _dictionary.Value[w]).ToList();
        var phrases = expected
            .Concat(Speakable(RecognitionHints.Distractors).Except(expected)
                .Where(d => d.Split(' ').All(w => expectedWords.All(e => EditDistance.Between(_dictionary.Value[w], e) > 2))))
            .ToList();
        // A step's grammar is named after its content, so each decoder adds it once and switches to it after that.
        var grammar = Grammar(phrases);
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(grammar)))[..32];
        if (!options.Value.CheckGrammarFit) return new Transcript(await RecognizeAsync(utterance, name, grammar, $"{phrases.Count} phrases", cancellationToken));
        var (heard, free, gap) = await WithDecoderAsync(decoder =>
        {
            decoder.AddGrammar(name, grammar);
            return decoder.DecodeAgainstFreeSpeech(name, utterance.Samples);
        }, cancellationToken);
        var confidence = heard.Length == 0 ? 0 : ConfidenceOf(gap);
        logger.HeardInGrammar(heard.Length, phrases.Count, confidence);
        // Below half, the grammar's nearest phrase fits badly: the child said something it does not hold, and what the
        // general model heard is the better account of it (for the transcript, a chat tutor, the parents). The low
        // confidence goes with it, so the lesson asks again rather than judging.
        return new Transcript(confidence >= 0.5 ? heard : free, confidence);
    }

    /// <summary>
    /// The grammar path's score against the general model's, per frame, as 0–1. (The grammar's path carries no language
    /// model cost, so speech it holds scores well above the general model's.) Measured over the shipped English lessons'
    /// answers: said by flite's four voices, 12.6 and up (espeak-ng's, harder to hear: 0.4 and up); words the grammar
    /// does not hold, forced onto an accepted answer ("pizza please" as "it is green"), about 6. Half confidence is at 8, between.
    /// </summary>
    public static double ConfidenceOf(double gapPerFrame) => 1 / (1 + Math.Exp(-(gapPerFrame - GapAtHalfConfidence) / 2));

    private const double GapAtHalfConfidence = 8;

    private async Task<string> RecognizeAsync(PcmAudio utterance, string search, string? grammar, string among, CancellationToken cancellationToken)
    {
        var heard = await WithDecoderAsync(decoder =>
        {
            if (grammar is not null) decoder.AddGrammar(search, grammar);
            return decoder.Decode(search, utterance.Samples);
        }, cancellationToken);
        logger.Heard(heard.Length, among);
        return heard;
    }

    private Task<T> WithDecoderAsync<T>(Func<PocketSphinxDecoder, T> decode, CancellationToken cancellationToken) =>
        gate.RunAsync(() => Task.Run(() =>
        {
            var decoder = _idle.TryTake(out var idle) ? idle : NewDecoder();
            try
            {
                return decode(decoder);
            }
            finally
            {
                _idle.Add(decoder);
            }
        }, cancellationToken), cancellationToken);

    private PocketSphinxDecoder NewDecoder()
    {
        var speech = options.Value;
        return new PocketSphinxDecoder(speech.AcousticModel, speech.Dictionary, speech.LanguageModel, SampleRate, speech.MaxHmmsPerFrame, speech.MaxWordsPerFrame);
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
        while (_idle.TryTake(out var decoder)) decoder.Dispose();
    }
}
