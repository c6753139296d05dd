using Microsoft.AspNetCore.SignalR;
using Tutor.Contracts;

namespace Tutor.Contracts.Transcripts;

/// <summary>
/// The parents' and debug UI's hub. It lives here, not in the gateway, because the SignalR Redis backplane names its
/// channels after the hub type: workers send through <c>IHubContext&lt;TranscriptHub, ITranscriptClient&gt;</c> and
/// must use this very type.
/// </summary>
public sealed class TranscriptHub : Hub<ITranscriptClient>
{
    public const string Path = "/hubs/transcript";

    /// <summary>Starts sending this connection the conversation of <paramref name="userId"/>.</summary>
    public async Task Follow(string userId)
    {
        if (!UserIds.IsValid(userId))
        {
            throw new HubException("That is not a valid user id.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, TranscriptGroups.ForUser(userId), Context.ConnectionAborted);
    }

    public Task Unfollow(string userId) =>
        UserIds.IsValid(userId)
            ? Groups.RemoveFromGroupAsync(Context.ConnectionId, TranscriptGroups.ForUser(userId), Context.ConnectionAborted)
            : Task.CompletedTask;
}
