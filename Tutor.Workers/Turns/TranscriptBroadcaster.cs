using Microsoft.AspNetCore.SignalR;
using Tutor.Contracts.Transcripts;

namespace Tutor.Workers.Turns;

/// <summary>Sends both lines of the conversation to the parents following the child, through the SignalR backplane.</summary>
public sealed class TranscriptBroadcaster(IHubContext<TranscriptHub, ITranscriptClient> hub)
{
    public Task ChildSaidAsync(SessionInfo session, string turnId, string text) =>
        hub.Clients.Group(TranscriptGroups.ForUser(session.UserId))
            .ChildSaid(new TranscriptLine(session.UserId, session.SessionId, turnId, text, DateTimeOffset.UtcNow));

    public Task TutorSaidAsync(SessionInfo session, string turnId, string text) =>
        hub.Clients.Group(TranscriptGroups.ForUser(session.UserId))
            .TutorSaid(new TranscriptLine(session.UserId, session.SessionId, turnId, text, DateTimeOffset.UtcNow));
}
