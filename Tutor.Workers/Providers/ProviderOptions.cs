namespace Tutor.Workers.Providers;

/// <summary>
/// Which engine does each job (configuration section <c>Providers</c>): speech-to-text, the tutor's chat, text-to-speech
/// and moderation are chosen separately. <c>offline</c> runs on this machine; <c>openai</c> is OpenAI or any endpoint that
/// speaks its API (a self-hosted Whisper server, Ollama, …) with its own <see cref="ProviderChoice.Endpoint"/> and
/// <see cref="ProviderChoice.Model"/>. Without a choice, an OpenAI key makes it <c>openai</c>, else <c>offline</c>.
/// </summary>
public sealed class ProviderOptions
{
    public const string SectionName = "Providers";

    public ProviderChoice SpeechToText { get; set; } = new();
    public ProviderChoice Chat { get; set; } = new();
    public ProviderChoice TextToSpeech { get; set; } = new();
    public ProviderChoice Moderation { get; set; } = new();
}

public sealed class ProviderChoice
{
    public const string Offline = "offline";
    public const string OpenAi = "openai";

    /// <summary><c>offline</c> or <c>openai</c>; empty picks by whether an OpenAI key is set.</summary>
    public string? Kind { get; set; }

    /// <summary>An OpenAI-compatible endpoint for this job only (else <c>OpenAI:Endpoint</c>).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// The key for this job's own <see cref="Endpoint"/>. A job with its own endpoint is never sent the OpenAI key
    /// (<c>OpenAI:ApiKey</c>): that goes to OpenAI's endpoint only. Without one, the SDK's placeholder is sent.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>The model for this job (else the <c>OpenAI</c> section's model for it).</summary>
    public string? Model { get; set; }

    public string ResolvedKind(bool hasKey) => string.IsNullOrWhiteSpace(Kind) ? (hasKey ? OpenAi : Offline) : Kind.ToLowerInvariant();
}
