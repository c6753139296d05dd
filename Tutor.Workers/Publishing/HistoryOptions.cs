namespace Tutor.Workers.Publishing;

/// <summary>How long a child's conversation is kept (configuration section <c>History</c>).</summary>
public sealed class HistoryOptions
{
    public const string SectionName = "History";

    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long each turn's facts (no words, only ids, outcomes, mastered vocabulary, speaking time) are kept for the progress pictures.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "14.00:00:00", "730.00:00:00")]
    public TimeSpan FactsRetention { get; set; } = TimeSpan.FromDays(90);
}
