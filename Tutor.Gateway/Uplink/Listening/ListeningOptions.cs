using System.ComponentModel.DataAnnotations;

namespace Tutor.Gateway.Uplink.Listening;

/// <summary>How the gateway decides where an utterance ends (configuration section <c>Listening</c>).</summary>
public sealed class ListeningOptions : IValidatableObject
{
    public const string SectionName = "Listening";

    /// <summary>The Silero VAD model; empty means the copy the build fetched next to the gateway.</summary>
    public string? VadModelPath { get; set; }

    /// <summary>A window at or above this speech probability is speech.</summary>
    [Range(0.05, 0.99)]
    public double SpeechThreshold { get; set; } = 0.5;

    /// <summary>A window below this probability is silence (between the two thresholds nothing changes).</summary>
    [Range(0.01, 0.99)]
    public double SilenceThreshold { get; set; } = 0.35;

    /// <summary>Silence that ends an utterance in auto mode. Children pause mid-sentence: well above adult-tuned 200 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:00:05")]
    public TimeSpan EndOfUtteranceSilence { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Less speech than this in an utterance (a cough, a bump) is not a turn and is dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan MinSpeech { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Audio kept from before the first speech window, so the first syllable is not clipped.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:02")]
    public TimeSpan PreRoll { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Silence kept after the last speech window.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:02")]
    public TimeSpan TrailingSilence { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The longest utterance, in either mode; a longer one is cut here and the rest continues as the next.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan MaxUtteranceLength { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SilenceThreshold > SpeechThreshold)
        {
            yield return new ValidationResult("Listening:SilenceThreshold must not exceed Listening:SpeechThreshold.",
                [nameof(SilenceThreshold), nameof(SpeechThreshold)]);
        }
    }
}
