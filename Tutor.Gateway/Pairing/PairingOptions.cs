using System.ComponentModel.DataAnnotations;

namespace Tutor.Gateway.Pairing;

/// <summary>Pairing a device with a spoken code (configuration section <c>Pairing</c>; docs/device-protocol.md, "Pairing").</summary>
public sealed class PairingOptions
{
    public const string SectionName = "Pairing";

    /// <summary>How long a code waits for a parent to enter it.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:30:00")]
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Codes one address may ask for per <see cref="CodeWindow"/>.</summary>
    [Range(1, 1000)]
    public int MaxCodesPerAddress { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CodeWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Codes one parent account may try per <see cref="CodeWindow"/>, from any address, before being turned away.</summary>
    [Range(1, 1000)]
    public int MaxClaimAttempts { get; set; } = 10;

    /// <summary>How often a waiting device's connection looks whether its code was entered.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:10")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The language the code is spoken in (ISO 639-1).</summary>
    [Required]
    public string Language { get; set; } = "en";
}
