using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Transcripts;
using Tutor.Workers.Replies;
using Tutor.Realtime.Transcripts;
using Tutor.Workers.Turns;

namespace Tutor.Workers.Publishing;

/// <summary>
/// Records each turn in the child's history stream (kept for <see cref="HistoryOptions.Retention"/>) and its facts in the
/// child's facts stream (kept for <see cref="HistoryOptions.FactsRetention"/>), and sends both lines and the child's
/// progress to the parents following the child, through the SignalR backplane.
/// </summary>
public sealed class TranscriptBroadcaster(IHubContext<TranscriptHub, ITranscriptClient> hub, IConnectionMultiplexer redis, IOptions<HistoryOptions> history)
{
    public async Task TurnTakenAsync(SessionInfo session, string turnId, string childSaid, TimeSpan spoke, TurnResult turn, DateTimeOffset at)
    {
        var progress = turn.Move.Progress;
        await AppendAsync(RedisKeys.TurnFacts(session.UserId), "fact", TutorJson.Serialize(new TurnFact(turnId, at, progress.LessonId, progress.LessonTitle,
            turn.Move.Outcome, turn.Move.NewlyMastered, (int)spoke.TotalMilliseconds, progress.WordsMastered.Count)), history.Value.FactsRetention);
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
    private async Task<TranscriptLine> RecordAsync(TranscriptLine line) =>
        line with { Id = await AppendAsync(RedisKeys.History(line.UserId), "line", JsonSerializer.Serialize(line, TutorJson.Options), history.Value.Retention) };

    /// <summary>Appends to a stream whose entries older than <paramref name="retention"/> are trimmed; returns the entry id.</summary>
    private async Task<string> AppendAsync(string key, string field, string value, TimeSpan retention)
    {
        var db = redis.GetDatabase();
        var id = await db.StreamAddAsync(key, field, value);
        var oldest = DateTimeOffset.UtcNow - retention;
        await db.ExecuteAsync("XTRIM", key, "MINID", "~", oldest.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await db.KeyExpireAsync(key, retention);
        return id.ToString();
    }
}
