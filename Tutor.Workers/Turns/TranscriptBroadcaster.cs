using Microsoft.AspNetCore.SignalR;
using Tutor.Contracts.Transcripts;
using Tutor.Workers.Replies;

namespace Tutor.Workers.Turns;

/// <summary>Sends both lines of the conversation, and the child's progress, to the parents following the child, through the SignalR backplane.</summary>
public sealed class TranscriptBroadcaster(IHubContext<TranscriptHub, ITranscriptClient> hub)
{
    public Task ChildSaidAsync(SessionInfo session, string turnId, string text) =>
        Parents(session).ChildSaid(new TranscriptLine(session.UserId, session.SessionId, turnId, text, DateTimeOffset.UtcNow));

    /// <summary>The turn's outcome: how the child's answer was judged, what the tutor said, and where the child is now.</summary>
    public async Task TurnTakenAsync(SessionInfo session, string turnId, string childSaid, TurnResult turn, DateTimeOffset at)
    {
        var progress = turn.Move.Progress;
        var parents = Parents(session);
        var inputSafety = turn.Safety == SafetyMarks.InputRedirected ? turn.Safety : null;
        var replySafety = turn.Safety == SafetyMarks.ReplyReplaced ? turn.Safety : null;
        await parents.ChildSaid(new TranscriptLine(session.UserId, session.SessionId, turnId, childSaid, at,
            progress.LessonId, progress.StepId, turn.Move.Outcome, inputSafety));
        await parents.TutorSaid(new TranscriptLine(session.UserId, session.SessionId, turnId, turn.TutorSaid, at,
            progress.LessonId, progress.StepId, null, replySafety));
        await parents.ProgressChanged(new ProgressUpdate(session.UserId, progress.LessonId, progress.LessonTitle, progress.StepId,
            progress.StepNumber, progress.StepCount, turn.Move.Outcome, progress.WordsMastered.Count, turn.Move.NewlyMastered,
            turn.Move.LessonCompleted, at));
    }

    private ITranscriptClient Parents(SessionInfo session) => hub.Clients.Group(TranscriptGroups.ForUser(session.UserId));
}
