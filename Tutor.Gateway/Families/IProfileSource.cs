using Tutor.Contracts.Families;

namespace Tutor.Gateway.Families;

/// <summary>Where profiles live: Firestore, or the local families directory.</summary>
public interface IProfileSource
{
    /// <summary>The child's profile, or null when there is no such child.</summary>
    Task<ChildProfile?> FindAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The children whose profile names <paramref name="parentId"/> as a parent.</summary>
    Task<IReadOnlyList<ChildProfile>> ChildrenOfAsync(string parentId, CancellationToken cancellationToken);

    /// <summary>
    /// Changes the child's device secrets (issuing or revoking one) from their current value at the source, so that two
    /// parents changing them at once both keep their change; returns the profile as saved.
    /// </summary>
    Task<ChildProfile> UpdateDeviceSecretsAsync(string userId, Func<IReadOnlyList<DeviceSecret>, IReadOnlyList<DeviceSecret>> change,
        CancellationToken cancellationToken);

    /// <summary>
    /// Adds a child (<paramref name="child"/> with its parents and no devices), or changes an existing one's name, age,
    /// languages and level (its parents and devices stay as they are); returns the profile as saved.
    /// </summary>
    Task<ChildProfile> SaveChildAsync(ChildProfile child, bool create, CancellationToken cancellationToken);

    /// <summary>Removes the child's profile; nothing happens when there is none.</summary>
    Task DeleteChildAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>The profile source could not answer (down, slow, refusing): not the same as "no such user".</summary>
public sealed class ProfileSourceUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
