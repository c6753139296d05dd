using System.ComponentModel.DataAnnotations;

namespace Tutor.Workers.Speech;

/// <summary>The offline speech engines, loaded into the worker: flite, espeak-ng and pocketsphinx (configuration section <c>OfflineSpeech</c>).</summary>
public sealed class OfflineSpeechOptions
{
    public const string SectionName = "OfflineSpeech";

    public const string Flite = "flite";
    public const string Espeak = "espeak";

    /// <summary>
    /// The voice for each lesson language: <c>flite:{slt|kal16|awb|rms}</c> (in-process, English only) or
    /// <c>espeak:{voice}</c> (a bare voice name means espeak-ng too). A language not listed speaks with <c>en</c>'s.
    /// </summary>
    public Dictionary<string, string> Voices { get; set; } = new() { ["en"] = "flite:slt", ["es"] = "espeak:es", ["fr"] = "espeak:fr", ["de"] = "espeak:de" };

    public string VoiceFor(string? language) =>
        language is not null && Voices.TryGetValue(language, out var voice) ? voice : Voices.GetValueOrDefault("en", "flite:slt");

    /// <summary>"flite:slt" → (flite, slt); "espeak:es" and "es" → (espeak, es).</summary>
    public static (string Engine, string Voice) ParseVoice(string configured) =>
        configured.Split(':', 2) is [var engine, var voice] ? (engine.ToLowerInvariant(), voice) : (Espeak, configured);

    /// <summary>Words per minute: slower than espeak-ng's 175, for young listeners.</summary>
    [Range(80, 400)]
    public int WordsPerMinute { get; set; } = 140;

    /// <summary>The acoustic model and dictionary (Debian's <c>pocketsphinx-en-us</c>): American English only.</summary>
    public string AcousticModel { get; set; } = "/usr/share/pocketsphinx/model/en-us/en-us";

    public string Dictionary { get; set; } = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";

    /// <summary>The general English language model, for free conversation (a chat step): anything may be said there.</summary>
    public string LanguageModel { get; set; } = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";

    /// <summary>
    /// How wide pocketsphinx searches: at most this many sound states alive per 10 ms (<c>-maxhmmpf</c>; its own default
    /// is 30000) and this many words ending per 10 ms (<c>-maxwpf</c>). Measured on the lessons' sentences in flite's
    /// voice: 2000 and 5 decode free speech with about half the CPU and no worse word error rate.
    /// </summary>
    [Range(500, 30000)]
    public int MaxHmmsPerFrame { get; set; } = 2000;

    [Range(1, 100)]
    public int MaxWordsPerFrame { get; set; } = 5;

    /// <summary>
    /// In drills, also hear the answer with the general language model, to tell a phrase the grammar holds from words it
    /// does not (the confidence the lesson uses, and the child's real words in the transcript). Costs about 0.2 s of CPU
    /// per answer (measured: <c>load --say</c>); <c>false</c> trusts the grammar, as before.
    /// </summary>
    public bool CheckGrammarFit { get; set; } = true;

    /// <summary>Offline engine runs at once in one worker; empty means one per CPU core (they are CPU-bound).</summary>
    [Range(1, 256)]
    public int? MaxConcurrentCalls { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan RecognitionTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
