using Microsoft.AspNetCore.SignalR;


namespace Tutor.Realtime.Transcripts;

/// <summary>
/// Who follows which child on this gateway, kept so that access is checked again while they watch: a parent removed
/// from a child stops hearing them. Implemented by the gateway.
/// </summary>
public interface IFollowers
{
    void Add(HubCallerContext caller, string userId);

    /// <summary>Forgets one follow of the connection, or all of them when <paramref name="userId"/> is null.</summary>
    void Remove(string connectionId, string? userId = null);
}
