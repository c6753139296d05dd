using Microsoft.AspNetCore.SignalR;

namespace Tutor.Gateway.Families;

/// <summary>
/// Names a hub connection after its parent (the token's <c>sub</c>): SignalR looks for a name-identifier claim, which
/// parents' tokens do not carry as such (inbound claims are not renamed), so without this every connection was "an
/// unknown caller" in the hub's log of refused follows.
/// </summary>
public sealed class ParentIds : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User is { } user ? ParentAccess.ParentIdOf(user) : null;
}
