using System.ComponentModel.DataAnnotations;

namespace Tutor.Workers.Turns;

/// <summary>How a worker takes turns (configuration section <c>Turns</c>).</summary>
public sealed class TurnOptions
{
    public const string SectionName = "Turns";

    /// <summary>Turns one worker process runs at once; announced utterances beyond it are left to other workers.</summary>
    [Range(1, 256)]
    public int MaxConcurrentTurns { get; set; } = 4;

    /// <summary>How long a finished turn's claim is kept; it outlives the utterance's audio so a late duplicate is refused.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan ClaimLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A running turn's claim is a lease its worker renews; a worker that dies stops renewing, and once the lease has run
    /// out another worker takes the turn again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a worker looks for recorded utterances nobody is working on.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How old a recorded utterance must be before the sweep takes it: the announcement gets the first chance.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan SweepAge { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A turn still running after this is abandoned and the device told so.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan MaxTurnDuration { get; set; } = TimeSpan.FromSeconds(90);
}
