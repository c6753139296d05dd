using System.ComponentModel.DataAnnotations;

namespace Tutor.Workers.Turns;

/// <summary>How a worker takes turns (configuration section <c>Turns</c>).</summary>
public sealed class TurnOptions
{
    public const string SectionName = "Turns";

    /// <summary>Turns one worker process runs at once; announced utterances beyond it are left to other workers.</summary>
    [Range(1, 256)]
    public int MaxConcurrentTurns { get; set; } = 4;

    /// <summary>How long a claim on an utterance is held; it outlives the utterance's audio so a late duplicate is refused.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan ClaimLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A turn still running after this is abandoned and the device told so.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan MaxTurnDuration { get; set; } = TimeSpan.FromSeconds(90);
}
