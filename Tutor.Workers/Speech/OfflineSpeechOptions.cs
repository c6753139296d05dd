using System.ComponentModel.DataAnnotations;

namespace Tutor.Workers.Speech;

/// <summary>The offline speech engines, Debian's espeak-ng and pocketsphinx (configuration section <c>OfflineSpeech</c>).</summary>
public sealed class OfflineSpeechOptions
{
    public const string SectionName = "OfflineSpeech";

    public string EspeakPath { get; set; } = "espeak-ng";

    /// <summary>The espeak-ng voice for each lesson language.</summary>
    public Dictionary<string, string> Voices { get; set; } = new() { ["en"] = "en-us", ["es"] = "es", ["fr"] = "fr", ["de"] = "de" };

    /// <summary>Words per minute: slower than espeak-ng's 175, for young listeners.</summary>
    [Range(80, 400)]
    public int WordsPerMinute { get; set; } = 140;

    public string PocketSphinxPath { get; set; } = "pocketsphinx_continuous";

    /// <summary>The acoustic model and dictionary (Debian's <c>pocketsphinx-en-us</c>): American English only.</summary>
    public string AcousticModel { get; set; } = "/usr/share/pocketsphinx/model/en-us/en-us";

    public string Dictionary { get; set; } = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";

    /// <summary>Offline engine runs at once in one worker; empty means one per CPU core (they are CPU-bound).</summary>
    [Range(1, 256)]
    public int? MaxConcurrentCalls { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan RecognitionTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
