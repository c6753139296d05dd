using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tutor.Contracts;
using Tutor.Contracts.Families;
using Tutor.Realtime.Transcripts;

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

    public async Task<bool> MayFollowAsync(ClaimsPrincipal parent, string userId, CancellationToken cancellationToken) =>
        await ChildOfAsync(parent, userId, cancellationToken) is not null;

    /// <summary>The child's profile when <paramref name="parent"/> is their parent; null for anyone else's child, a child that does not exist, or a malformed id.</summary>
    public async Task<ChildProfile?> ChildOfAsync(ClaimsPrincipal parent, string userId, CancellationToken cancellationToken)
    {
        if (!UserIds.IsValid(userId) || ParentIdOf(parent) is not { } parentId) return null;
        var child = await profiles.FindAsync(userId, cancellationToken);
        return child is not null && child.IsParent(parentId) ? child : null;
    }

    /// <summary>The one answer for a child of another family and a child that does not exist: nothing to learn from it.</summary>
    public static ProblemHttpResult NotYourChild() => TypedResults.Problem("You are not a parent of that child.", statusCode: StatusCodes.Status403Forbidden);
}
