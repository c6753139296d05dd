using System.Security.Claims;


namespace Tutor.Realtime.Transcripts;

/// <summary>Decides whether a signed-in parent may follow a child. Implemented by the gateway, which knows the families.</summary>
public interface IChildAccess
{
    Task<bool> MayFollowAsync(ClaimsPrincipal parent, string userId, CancellationToken cancellationToken);
}
