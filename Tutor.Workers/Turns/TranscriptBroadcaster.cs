using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Transcripts;
using Tutor.Workers.Replies;

namespace Tutor.Workers.Turns;

/// <summary>
/// Records each turn in the child's history stream (kept for <see cref="HistoryOptions.Retention"/>) and sends both lines
/// and the child's progress to the parents following the child, through the SignalR backplane.
/// </summary>
public sealed class TranscriptBroadcaster(IHubContext<TranscriptHub, ITranscriptClient> hub, IConnectionMultiplexer redis, IOptions<HistoryOptions> history)
{
    public async Task TurnTakenAsync(SessionInfo session, string turnId, string childSaid, TurnResult turn, DateTimeOffset at)
    {
        var progress = turn.Move.Progress;
        var parents = hub.Clients.Group(TranscriptGroups.ForUser(session.UserId));
        var child = await RecordAsync(new TranscriptLine(session.UserId, session.SessionId, turnId, childSaid, at,
            progress.LessonId, progress.StepId, turn.Move.Outcome, turn.Safety == SafetyMarks.InputRedirected ? turn.Safety : null, Speakers.Child));
        var tutor = await RecordAsync(new TranscriptLine(session.UserId, session.SessionId, turnId, turn.TutorSaid, at,
            progress.LessonId, progress.StepId, null, turn.Safety == SafetyMarks.ReplyReplaced ? turn.Safety : null, Speakers.Tutor));
        await parents.ChildSaid(child);
        await parents.TutorSaid(tutor);
        await parents.ProgressChanged(new ProgressUpdate(session.UserId, progress.LessonId, progress.LessonTitle, progress.StepId,
            progress.StepNumber, progress.StepCount, turn.Move.Outcome, progress.WordsMastered.Count, turn.Move.NewlyMastered,
            turn.Move.LessonCompleted, at));
    }

    /// <summary>Appends the line to the child's history and returns it with its stream id.</summary>
    private async Task<TranscriptLine> RecordAsync(TranscriptLine line)
    {
        var db = redis.GetDatabase();
        var key = RedisKeys.History(line.UserId);
        var id = await db.StreamAddAsync(key, "line", JsonSerializer.Serialize(line, TutorJson.Options));
        var oldest = DateTimeOffset.UtcNow - history.Value.Retention;
        await db.ExecuteAsync("XTRIM", key, "MINID", "~", oldest.ToUnixTimeMilliseconds().ToString());
        await db.KeyExpireAsync(key, history.Value.Retention);
        return line with { Id = id.ToString() };
    }
}

/// <summary>How long a child's conversation is kept (configuration section <c>History</c>).</summary>
public sealed class HistoryOptions
{
    public const string SectionName = "History";

    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
