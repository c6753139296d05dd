using Tutor.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

using Tutor.Contracts.Transcripts;

namespace Tutor.Realtime.Transcripts;

/// <summary>
/// The parents' and debug UI's hub. It lives here, not in the gateway, because the SignalR Redis backplane names its
/// channels after the hub type: workers send through <c>IHubContext&lt;TranscriptHub, ITranscriptClient&gt;</c> and
/// must use this very type. Only signed-in parents connect, and a parent only ever joins the groups of their own
/// children: <see cref="Follow"/> is the one way into a group.
/// </summary>
[Authorize]
public sealed class TranscriptHub(IChildAccess access, IFollowers followers, ILogger<TranscriptHub> logger) : Hub<ITranscriptClient>
{
    public const string Path = "/hubs/transcript";

    /// <summary>Starts sending this connection the conversation of <paramref name="userId"/>, if the caller is that child's parent.</summary>
    public async Task Follow(string userId)
    {
        if (!UserIds.IsValid(userId) || !await access.MayFollowAsync(Context.User!, userId, Context.ConnectionAborted))
        {
            logger.FollowRefused(Context.UserIdentifier ?? "an unknown caller", userId);
            // The same answer for a child that does not exist and one of another family.
            throw new HubException("You cannot follow that child.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, TranscriptGroups.ForUser(userId), Context.ConnectionAborted);
        followers.Add(Context, userId);
    }

    public async Task Unfollow(string userId)
    {
        // Stryker disable once Statement : an id that is no child's names no follow and no group; this only spares the two calls
        if (!UserIds.IsValid(userId)) return;
        followers.Remove(Context.ConnectionId, userId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, TranscriptGroups.ForUser(userId), Context.ConnectionAborted);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        followers.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}
