using System.Security.Claims;
using Tutor.Contracts.Transcripts;

namespace Tutor.Gateway.Families;

/// <summary>A parent may follow, and manage the devices of, exactly the children whose profile names them.</summary>
public sealed class ParentAccess(ProfileStore profiles) : IChildAccess
{
    /// <summary>The claim of developers and operators (a Firebase custom claim, or <c>admin</c> in the local family file).</summary>
    public const string AdminClaim = "admin";

    public const string DeveloperPolicy = "developer";

    public static bool IsAdmin(ClaimsPrincipal user) => user.HasClaim(c => c.Type == AdminClaim && c.Value.Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>The signed-in parent's id: the Firebase uid, or the local parent id (the token's <c>sub</c>).</summary>
    public static string? ParentIdOf(ClaimsPrincipal user) => user.FindFirst("sub")?.Value;

    public async Task<bool> MayFollowAsync(ClaimsPrincipal parent, string userId, CancellationToken cancellationToken)
    {
        var parentId = ParentIdOf(parent);
        if (parentId is null) return false;
        var child = await profiles.FindAsync(userId, cancellationToken);
        return child is not null && child.IsParent(parentId);
    }
}
