using System.Diagnostics;

namespace Tutor.Contracts.Diagnostics;

/// <summary>
/// A turn's trace reads as a timeline: its root is named for what happened (<see cref="TurnName"/> — the lesson step and
/// the judgement, never the child's words) and these stages are its spans, each from the stage's start to when it was
/// reached. The gateway records the end of the utterance and the audio sent; a worker the rest.
/// </summary>
public static class TurnStages
{
    public const string EndOfUtterance = "end of utterance";
    public const string Transcription = "transcription";
    public const string FirstToken = "first token";
    public const string FirstSentence = "first sentence";
    public const string FirstAudioSent = "first audio sent";
    public const string LastAudioSent = "last audio sent";

    /// <summary>What a turn's root is called: <c>turn colours-en-for-es/strawberry: correct</c>.</summary>
    public static string TurnName(string? lessonId, string? stepId, string outcome) =>
        lessonId is null ? $"turn: {outcome}" : $"turn {lessonId}/{stepId ?? "-"}: {outcome}";

    /// <summary>A stage already reached, as a finished span from <paramref name="startedUtc"/> to now under <paramref name="parent"/>.</summary>
    public static void Record(ActivitySource source, string stage, DateTime startedUtc, ActivityContext parent,
        params ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        using var span = source.StartActivity(stage, ActivityKind.Internal, parent, startTime: startedUtc);
        if (span is null) return;
        foreach (var (key, value) in tags) span.SetTag(key, value);
    }
}
