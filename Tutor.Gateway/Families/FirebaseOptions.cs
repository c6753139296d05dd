using System.ComponentModel.DataAnnotations;

namespace Tutor.Gateway.Families;

/// <summary>
/// A Firebase project (configuration section <c>Firebase</c>): profiles from Firestore and parents signed in with
/// Firebase Authentication. Without a project id, Tutor runs on the local families directory instead.
/// </summary>
public sealed class FirebaseOptions : IValidatableObject
{
    public const string SectionName = "Firebase";

    public string? ProjectId { get; set; }

    /// <summary>A service-account key (JSON) with access to Firestore.</summary>
    public string? CredentialsPath { get; set; }

    /// <summary>host:port of the Firestore emulator (also read from <c>FIRESTORE_EMULATOR_HOST</c>); no credentials needed then.</summary>
    public string? EmulatorHost { get; set; }

    /// <summary>Firestore's REST root; only changed to point at a stand-in.</summary>
    public Uri FirestoreEndpoint { get; set; } = new("https://firestore.googleapis.com/v1/");

    /// <summary>Where the ID-token signing keys are discovered; by default Firebase's for <see cref="ProjectId"/>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>One Firestore request may take this long before it is retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A profile lookup, retries included, gives up after this; the device is then told to come back later.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:02:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(6);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ProjectId);

    public bool UsesEmulator => !string.IsNullOrWhiteSpace(EmulatorHost);

    public string Issuer => $"https://securetoken.google.com/{ProjectId}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            if (!string.IsNullOrWhiteSpace(CredentialsPath) || UsesEmulator)
            {
                yield return new ValidationResult(
                    "Firebase is half configured: credentials or an emulator are set but Firebase:ProjectId is not. Set the project id, or remove the Firebase settings to use the local families directory.",
                    [nameof(ProjectId)]);
            }
            yield break;
        }

        if (string.IsNullOrWhiteSpace(CredentialsPath) && !UsesEmulator)
        {
            yield return new ValidationResult(
                $"Firebase is half configured: Firebase:ProjectId is '{ProjectId}' but there are no credentials. Set Firebase:CredentialsPath to a service-account key (JSON) with Firestore access, or FIRESTORE_EMULATOR_HOST for the emulator.",
                [nameof(CredentialsPath)]);
        }
        else if (!UsesEmulator && !File.Exists(CredentialsPath))
        {
            yield return new ValidationResult($"Firebase:CredentialsPath '{CredentialsPath}' does not exist.", [nameof(CredentialsPath)]);
        }

        if (TotalTimeout < AttemptTimeout)
        {
            yield return new ValidationResult("Firebase:TotalTimeout must be at least Firebase:AttemptTimeout.", [nameof(TotalTimeout)]);
        }
    }
}
