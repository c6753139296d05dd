using System.ComponentModel.DataAnnotations;

namespace Tutor.Workers.Providers;

/// <summary>
/// Which engine does each job (configuration section <c>Providers</c>): speech-to-text, the tutor's chat, text-to-speech
/// and moderation are chosen separately. <c>offline</c> runs on this machine with Debian's engines; <c>openai</c> is OpenAI
/// or any endpoint that speaks its API (a self-hosted Whisper server, Ollama, …) with its own
/// <see cref="ProviderChoice.Endpoint"/> and <see cref="ProviderChoice.Model"/>; <c>whisper</c> (speech-to-text) and
/// <c>llama</c> (chat) run an operator's own model file inside the worker (<see cref="ProviderChoice.ModelPath"/>).
/// Without a choice, an OpenAI key makes it <c>openai</c>, else <c>offline</c>.
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
    public const string Whisper = "whisper";
    public const string Llama = "llama";

    /// <summary><c>offline</c>, <c>openai</c>, <c>whisper</c> (speech-to-text only) or <c>llama</c> (chat only); empty picks by whether an OpenAI key is set.</summary>
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

    /// <summary>
    /// For <c>whisper</c>: a whisper.cpp ggml model (<c>ggml-base.en.bin</c>, …); for <c>llama</c>: a GGUF chat model
    /// (an instruction-tuned one with a chat template, e.g. Qwen2.5 0.5B Instruct Q4_0). Loaded once, when the worker starts.
    /// </summary>
    public string? ModelPath { get; set; }

    /// <summary>CPU threads one inference of the model uses; empty means one per core. One inference runs at a time.</summary>
    [Range(1, 256)]
    public int? Threads { get; set; }

    /// <summary>For <c>llama</c>: the context in tokens (the prompt — the lesson, the last turns — and the answer).</summary>
    [Range(512, 131072)]
    public int ContextSize { get; set; } = 4096;

    /// <summary>
    /// For <c>whisper</c>: encode only the utterance (and half a second) instead of Whisper's whole 30-second window —
    /// several times faster for a child's short answers, at some cost in accuracy; <c>false</c> for the full window.
    /// </summary>
    public bool FitAudioContext { get; set; } = true;

    public string ResolvedKind(bool hasKey) => string.IsNullOrWhiteSpace(Kind) ? (hasKey ? OpenAi : Offline) : Kind.ToLowerInvariant();
}
