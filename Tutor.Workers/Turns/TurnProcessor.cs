using System.Diagnostics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Audio;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Diagnostics;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Workers.Diagnostics;
using Tutor.Workers.Lessons;
using Tutor.Workers.Replies;
using Tutor.Workers.Speech;
using Tutor.Workers.Publishing;

namespace Tutor.Workers.Turns;

/// <summary>
/// One turn of the conversation: the child's audio → text → the lesson turn (judgement, reply sentences, child safety,
/// progress) → speech in the device's format → published part by part for the session's gateway, with both lines of the
/// transcript and the child's progress sent to the parents. Longer than most classes because it is the turn's one
/// timeline: each stage's span, timing and failure handling sit in order here, and splitting them would hide the order.
/// </summary>
public sealed class TurnProcessor(
    IConnectionMultiplexer redis,
    SessionDirectory sessions,
    ISpeechToText speechToText,
    TutorConversation conversation,
    ChildProgressStore progress,
    ITextToSpeech textToSpeech,
    ReplyPublisher replies,
    TranscriptBroadcaster transcript,
    TurnCancellations cancellations,
    WorkerTelemetry telemetry,
    IOptions<TurnOptions> options,
    ILogger<TurnProcessor> logger)
{
    /// <summary>
    /// Runs the turn; returns false only when <paramref name="leaving"/> fired before the turn was over — this worker stops,
    /// or another took the turn over — and the turn stays to be taken (again) by another.
    /// </summary>
    /// <param name="slot">This turn's slot, given back while it waits for the child's earlier turn.</param>
    /// <param name="order">The utterance's place in the queue (its stream entry id): a child's newer utterance has a later one.</param>
    public async Task<bool> ProcessAsync(UtteranceAnnouncement announcement, string order, string workerId, TurnSlot slot, CancellationToken leaving)
    {
        using var activity = WorkerTelemetry.ActivitySource.StartActivity("turn process", ActivityKind.Consumer,
            TraceContext.Parse(announcement.TraceParent));
        activity?.SetTag("tutor.session_id", announcement.SessionId);
        activity?.SetTag("tutor.audio_key", announcement.AudioKey);
        activity?.SetTag("tutor.worker", workerId);
        var started = Stopwatch.GetTimestamp();
        var turnId = RedisKeys.TurnIdOf(announcement.AudioKey);

        var db = redis.GetDatabase();
        TurnTimingFields.Mark(db, turnId, TurnTimingFields.Taken);
        TurnTimingFields.Mark(db, turnId, TurnTimingFields.Worker, workerId);
        var audio = await db.StringGetAsync(announcement.AudioKey).WaitAsync(leaving);
        if (audio.IsNull)
        {
            Record("expired", started, activity);
            logger.UtteranceExpired(announcement.AudioKey);
            await replies.PublishAsync(announcement.SessionId, SessionEvent.Failure(turnId, DeviceErrorCodes.UtteranceNotStored,
                "I could not keep what you said; please say it again."), CancellationToken.None);
            return true;
        }

        var session = await sessions.FindAsync(announcement.SessionId, leaving);
        if (session is null)
        {
            Record("session_gone", started, activity);
            logger.SessionGone(announcement.SessionId, announcement.AudioKey);
            await db.KeyDeleteAsync(announcement.AudioKey);
            // A device still connected (its record lost with a Redis restart) hears why rather than nothing.
            await replies.PublishAsync(announcement.SessionId, SessionEvent.Failure(turnId, DeviceErrorCodes.TurnFailed,
                "The tutor could not answer this time. Please try again."), CancellationToken.None);
            return true;
        }

        activity?.SetTag("tutor.user_id", session.UserId);
        using var abort = new CancellationTokenSource();
        using var registration = cancellations.Register(turnId, abort);
        using var turnTimeout = CancellationTokenSource.CreateLinkedTokenSource(leaving, abort.Token);
        turnTimeout.CancelAfter(options.Value.MaxTurnDuration);
        var over = true;
        try
        {
            if (await db.KeyExistsAsync(RedisKeys.TurnAborted(turnId)).WaitAsync(turnTimeout.Token))
            {
                await abort.CancelAsync(); // aborted before this worker registered the turn
            }

            var utterance = new PcmAudio((byte[])audio!, session.Audio.SampleRate, session.Audio.Channels);
            await RunPipelineAsync(session, turnId, order, utterance, slot, turnTimeout.Token);
            Record("answered", started, activity);
        }
        catch (OperationCanceledException) when (leaving.IsCancellationRequested)
        {
            over = false;
            logger.LeftUnfinished(turnId);
        }
        catch (TurnSupersededException)
        {
            // The child said something newer while this turn waited for the one before: the newer one is answered.
            Record("superseded", started, activity);
            logger.Superseded(turnId);
            await replies.PublishAsync(session.SessionId, SessionEvent.Failure(turnId, DeviceErrorCodes.Superseded,
                "You said something new before I answered; I am answering that instead."), CancellationToken.None);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // The device aborted: it has moved on, so nothing more is published for this turn.
            Record("aborted", started, activity);
            logger.StoppedByDevice(turnId);
        }
        catch (OperationCanceledException) when (turnTimeout.IsCancellationRequested)
        {
            Record("timed_out", started, activity);
            logger.Abandoned(turnId, options.Value.MaxTurnDuration);
            await replies.PublishAsync(session.SessionId,
                SessionEvent.Failure(turnId, DeviceErrorCodes.TurnTimeout, "The tutor took too long to answer. Please try again."), CancellationToken.None);
        }
        // Any other cancellation is none of the turn's own (a Redis command StackExchange.Redis gave up on): a failure.
        catch (Exception ex)
        {
            Record("failed", started, activity);
            logger.Failed(ex, turnId);
            await replies.PublishAsync(session.SessionId,
                SessionEvent.Failure(turnId, DeviceErrorCodes.TurnFailed, "The tutor could not answer this time. Please try again."), CancellationToken.None);
        }
        finally
        {
            // The child's voice is not kept once the turn is over.
            if (over) await db.KeyDeleteAsync(announcement.AudioKey);
        }
        return over;
    }

    private async Task RunPipelineAsync(SessionInfo session, string turnId, string order, PcmAudio utterance, TurnSlot slot,
        CancellationToken cancellationToken)
    {
        // One turn of a child at a time, whichever worker takes it: the progress is read, moved and written under the lock,
        // and read first because it tells the recognizer what the child is likely to say. Waiting for it costs no slot; but
        // a slot given back is taken by the next utterance at once, so it is given back only when there is a wait.
        IAsyncDisposable? childTurn = null;
        try
        {
            childTurn = await progress.TryLockAsync(session.UserId, order, options.Value.ClaimLease, cancellationToken);
            if (childTurn is null)
            {
                await slot.StepAsideAsync(async () => childTurn = await progress.LockAsync(session.UserId, order, options.Value.ClaimLease,
                    cancellationToken), cancellationToken);
            }
            await RunLockedAsync(session, turnId, utterance, cancellationToken);
        }
        finally
        {
            if (childTurn is not null) await childTurn.DisposeAsync();
        }
    }

    private async Task RunLockedAsync(SessionInfo session, string turnId, PcmAudio utterance, CancellationToken cancellationToken)
    {
        var before = await progress.LoadAsync(session.UserId, cancellationToken);
        if (ChildProgressStore.HasApplied(before, turnId))
        {
            // Its worker saved it and then stopped before finishing the entry: the reply was published before the save,
            // so the device has it; judging it again would move the lesson twice.
            logger.AlreadyAnswered(turnId);
            return;
        }
        // A lesson the parent chose on the page starts with this turn.
        var chosen = await progress.ChosenLessonAsync(session.UserId, cancellationToken);
        if (chosen is not null && chosen != before?.LessonId) before = ChildProgressStore.StartNext(before, chosen);
        var hints = conversation.HintsFor(before);
        var turnSpan = Activity.Current;
        turnSpan?.SetTag("tutor.lesson_id", before?.LessonId);
        turnSpan?.SetTag("tutor.step_id", before?.StepId);
        var heard = await telemetry.MeasureAsync("stt", () => speechToText.TranscribeAsync(utterance, hints, cancellationToken),
            TurnStages.Transcription, speechToText.GetType().Name);
        TurnTimingFields.Mark(redis.GetDatabase(), turnId, TurnTimingFields.Transcribed);
        logger.WordsKnown(turnId, heard.Text.Length, heard.Confidence);
        Activity.Current?.SetTag("tutor.stt.confidence", heard.Confidence);
        await replies.PublishAsync(session.SessionId, SessionEvent.Transcript(turnId, heard.Text), cancellationToken);

        var sequence = 0;
        var replyStarted = DateTime.UtcNow;
        var turnContext = turnSpan?.Context ?? default;
        var turn = await telemetry.MeasureAsync("reply", () => conversation.TakeTurnAsync(session.Child, before, heard, async (sentence, language) =>
        {
            if (sequence == 0)
            {
                TurnTimingFields.Mark(redis.GetDatabase(), turnId, TurnTimingFields.ReplyStarted);
                TurnStages.Record(WorkerTelemetry.ActivitySource, TurnStages.FirstSentence, replyStarted, turnContext,
                    new KeyValuePair<string, object?>("tutor.engine", conversation.TutorEngine));
            }
            // Each part goes out as soon as the engine has produced it: the sentence's text with its first part only.
            await telemetry.MeasureAsync("tts", async () =>
            {
                var text = sentence;
                await foreach (var pcm in DeviceSpeech.ToDeviceAsync(textToSpeech.SynthesizeAsync(sentence, language, cancellationToken), session.Audio, cancellationToken))
                {
                    await replies.PublishPartAsync(session.SessionId, turnId, sequence++, text, pcm, cancellationToken);
                    text = null;
                }
                return sequence;
            }, engine: textToSpeech.GetType().Name);
        }, cancellationToken, firstToken: () => TurnStages.Record(WorkerTelemetry.ActivitySource, TurnStages.FirstToken, replyStarted, turnContext,
            new KeyValuePair<string, object?>("tutor.engine", conversation.TutorEngine))), engine: conversation.TutorEngine);

        // Named by the step the child answered and the judgement: ids, never words.
        var (lessonId, stepId) = (before?.LessonId ?? turn.Move.Progress.LessonId, before?.LessonId is null ? null : before.StepId);
        // No judgement: child safety answered (its mark), or a lesson opened.
        var outcome = turn.Move.Outcome ?? turn.Safety ?? "opened";
        turnSpan?.SetTag("tutor.judgement", outcome);
        if (turnSpan is not null) turnSpan.DisplayName = TurnStages.TurnName(lessonId, stepId, outcome);
        await replies.PublishAsync(session.SessionId, SessionEvent.ReplyEnd(turnId, lessonId, stepId, outcome), cancellationToken);
        var now = DateTimeOffset.UtcNow;
        await progress.SaveAsync(session.UserId, ChildProgressStore.Remember(turn.Move.Progress, turnId, heard.Text, turn.TutorSaid, now), cancellationToken);
        if (chosen is not null) await progress.ForgetChosenLessonAsync(session.UserId, chosen);
        logger.Taken(turnId, turn.Move.Outcome ?? "-", turn.TutorSaid.Length, sequence, turn.Move.Progress.LessonId, turn.Move.Progress.StepId);
        await transcript.TurnTakenAsync(session, turnId, heard.Text, utterance.Duration, turn, now);
    }

    /// <summary>
    /// The utterance waited so long for a worker that its answer would come too late: the device is told at once that
    /// Tutor is busy, and the child's audio is deleted unheard.
    /// </summary>
    public async Task<bool> RefuseBusyAsync(UtteranceAnnouncement announcement, TimeSpan waited)
    {
        var turnId = RedisKeys.TurnIdOf(announcement.AudioKey);
        Record("busy", Stopwatch.GetTimestamp(), null);
        logger.Busy(announcement.AudioKey, waited);
        await replies.PublishAsync(announcement.SessionId, SessionEvent.Failure(turnId, DeviceErrorCodes.Busy,
            "Lots of children are talking to me right now. Please say that again in a moment."), CancellationToken.None);
        await redis.GetDatabase().KeyDeleteAsync(announcement.AudioKey);
        return true;
    }

    private void Record(string outcome, long started, Activity? activity)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        telemetry.Turns.Add(1, tag);
        telemetry.TurnDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
        activity?.SetTag("tutor.outcome", outcome);
        if (outcome is not ("answered" or "aborted" or "superseded")) activity?.SetStatus(ActivityStatusCode.Error, outcome);
    }
}
