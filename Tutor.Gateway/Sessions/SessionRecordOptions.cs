using System.ComponentModel.DataAnnotations;

namespace Tutor.Gateway.Sessions;

/// <summary>How the session record in Redis is kept alive (configuration section <c>Sessions</c>).</summary>
public sealed class SessionRecordOptions : IValidatableObject
{
    public const string SectionName = "Sessions";

    /// <summary>The record's expiry: a gateway that dies leaves it behind for at most this long.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan RecordLifetime { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How often a connected session's expiry is pushed forward.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A turn the workers have said nothing of for this long — no worker took it, or the one that did went silent — is
    /// ended for the device with <c>error</c> <c>turn_timeout</c> (and the workers are told to drop it): nothing waits
    /// in silence.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan TurnDeadline { get; set; } = TimeSpan.FromSeconds(8);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RefreshInterval >= RecordLifetime)
        {
            yield return new ValidationResult("Sessions:RefreshInterval must be shorter than Sessions:RecordLifetime.",
                [nameof(RefreshInterval), nameof(RecordLifetime)]);
        }
    }
}
