namespace Tutor.Contracts.Families;

/// <summary>
/// A child Tutor talks to (Firestore <c>users/{uid}</c>, or the local families directory), cached in Redis at
/// <c>user:{user_id}</c>. The tutor reads the languages, age and level; the gateway reads the parents and device secrets.
/// </summary>
public sealed record ChildProfile(
    string UserId,
    string Name,
    int? Age,
    string? NativeLanguage,
    string? TargetLanguage,
    string? Level,
    IReadOnlyList<string> Parents,
    IReadOnlyList<DeviceSecret> DeviceSecrets)
{
    public bool IsParent(string parentId) => Parents.Contains(parentId, StringComparer.Ordinal);
}

/// <summary>One device's secret, as stored: only the SHA-256 of the secret, never the secret itself.</summary>
public sealed record DeviceSecret(string Id, string Sha256, DateTimeOffset Created, bool Revoked = false, string? Name = null);
