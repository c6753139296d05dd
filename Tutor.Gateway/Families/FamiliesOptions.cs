using System.ComponentModel.DataAnnotations;

namespace Tutor.Gateway.Families;

/// <summary>Profiles, their cache and the sign-in limits (configuration section <c>Families</c>).</summary>
public sealed class FamiliesOptions
{
    public const string SectionName = "Families";

    /// <summary>The local families directory (used when Firebase is not configured); relative to the gateway's content root.</summary>
    [Required]
    public string Directory { get; set; } = "families";

    /// <summary>
    /// How long a profile stays in the Redis cache. Tutor's own changes (device secrets) replace the cached copy at once;
    /// this bounds how long a change made directly in Firestore takes to be seen.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long "no such user" is remembered, so that guessing ids does not hammer Firestore.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MissingUserCacheLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Refused sign-ins at one account (a child's devices, a parent) from one address per <see cref="FailureWindow"/>
    /// before that pair is turned away (429). Other accounts behind the same address are not affected, and a device
    /// with its right secret is always let in.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxFailedSignIns { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a token from the local sign-in is valid; the parents' page is disconnected when it expires.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "30.00:00:00")]
    public TimeSpan LocalTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// The secret that signs the local sign-in's tokens (32+ characters), the same on every gateway; from user secrets or
    /// the environment (<c>Families__LocalSigningKey</c>), never from a file in the repository. Required outside Development.
    /// </summary>
    [MinLength(32)]
    public string? LocalSigningKey { get; set; }

    /// <summary>How often a parent following a child is checked again to still be that child's parent.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AccessRecheckInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long deleting a child's history (or the child) waits for a turn under way to finish before it answers 503 "try
    /// again": a turn holds the child for one lease (10 s) at a time and renews it while it runs.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan EraseMaxWait { get; set; } = TimeSpan.FromSeconds(30);
}
