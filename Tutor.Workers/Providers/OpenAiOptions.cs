using System.ComponentModel.DataAnnotations;

namespace Tutor.Workers.Providers;

/// <summary>
/// OpenAI, or any endpoint that speaks its API (configuration section <c>OpenAI</c>). Model names and the voice are
/// configuration because OpenAI retires models: changing one must not need a build.
/// </summary>
public sealed class OpenAiOptions
{
    public const string SectionName = "OpenAI";

    /// <summary>The secret key; the providers are off without it. Never logged.</summary>
    public string? ApiKey { get; set; }

    [Required]
    public Uri Endpoint { get; set; } = new("https://api.openai.com/v1");

    [Required(AllowEmptyStrings = false)]
    public string TranscriptionModel { get; set; } = "";

    [Required(AllowEmptyStrings = false)]
    public string ChatModel { get; set; } = "";

    [Required(AllowEmptyStrings = false)]
    public string SpeechModel { get; set; } = "";

    [Required(AllowEmptyStrings = false)]
    public string Voice { get; set; } = "";

    /// <summary>The sample rate of the raw PCM the speech endpoint sends (OpenAI's is 24 kHz; a compatible server may differ).</summary>
    [Range(8000, 48000)]
    public int SpeechSampleRate { get; set; } = 24000;

    [Required(AllowEmptyStrings = false)]
    public string ModerationModel { get; set; } = "omni-moderation-latest";

    /// <summary>The language the child speaks (ISO-639-1), a hint for transcription; empty lets the model detect it.</summary>
    public string? Language { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey);
}
