using System.ComponentModel.DataAnnotations;

namespace Tutor.Workers.Turns;

/// <summary>How a worker takes turns (configuration section <c>Turns</c>).</summary>
public sealed class TurnOptions
{
    public const string SectionName = "Turns";

    /// <summary>
    /// Turns one worker process runs at once. A turn mostly waits for remote engines, so this is in the hundreds; the
    /// offline engines, which need the CPU, are limited separately (<c>OfflineSpeech:MaxConcurrentCalls</c>).
    /// </summary>
    [Range(1, 5000)]
    public int MaxConcurrentTurns { get; set; } = 200;

    /// <summary>
    /// A running turn's entry is a lease its worker renews every third of this; a worker that dies stops renewing, and
    /// once the lease has run out another worker takes the turn over.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often an idle worker looks at the queue by itself. Announcements on <c>audio:processing</c> wake it at once;
    /// this only covers one it did not hear (it was reconnecting).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// An utterance that waited longer than this for a worker is not worked on: the device is told at once that Tutor
    /// is busy (<c>busy</c>), rather than answered so late the child has given up.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A turn still running after this is abandoned and the device told so.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan MaxTurnDuration { get; set; } = TimeSpan.FromSeconds(90);
}
