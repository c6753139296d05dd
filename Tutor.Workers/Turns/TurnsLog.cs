namespace Tutor.Workers.Turns;

/// <summary>What taking turns logs (event ids 2000–2099): turn ids, keys, lengths and outcomes — never the child's words.</summary>
internal static partial class TurnsLog
{
    [LoggerMessage(2000, LogLevel.Information, "Worker {WorkerId} taking utterances from {Stream} (woken by {Channel}), up to {Slots} at once")]
    public static partial void Taking(this ILogger logger, string workerId, string stream, string channel, int slots);

    [LoggerMessage(2001, LogLevel.Warning, "Utterance {AudioKey} had expired before a worker took it; the device is told to say it again")]
    public static partial void UtteranceExpired(this ILogger logger, string audioKey);

    [LoggerMessage(2002, LogLevel.Warning, "Session {SessionId} has no record; utterance {AudioKey} is not answered")]
    public static partial void SessionGone(this ILogger logger, string sessionId, string audioKey);

    [LoggerMessage(2003, LogLevel.Information, "Turn {TurnId} left unfinished: this worker is stopping or another took it over")]
    public static partial void LeftUnfinished(this ILogger logger, string turnId);

    [LoggerMessage(2004, LogLevel.Information, "Turn {TurnId} superseded by a newer utterance of the child")]
    public static partial void Superseded(this ILogger logger, string turnId);

    [LoggerMessage(2005, LogLevel.Information, "Turn {TurnId} stopped: the device aborted it")]
    public static partial void StoppedByDevice(this ILogger logger, string turnId);

    [LoggerMessage(2006, LogLevel.Error, "Turn {TurnId} took longer than {Limit} and was abandoned")]
    public static partial void Abandoned(this ILogger logger, string turnId, TimeSpan limit);

    [LoggerMessage(2007, LogLevel.Error, "Turn {TurnId} failed")]
    public static partial void Failed(this ILogger logger, Exception exception, string turnId);

    [LoggerMessage(2008, LogLevel.Information, "Turn {TurnId} was already answered and saved; not run again")]
    public static partial void AlreadyAnswered(this ILogger logger, string turnId);

    [LoggerMessage(2009, LogLevel.Information, "Turn {TurnId}: the child's words are known ({Length} characters, confidence {Confidence})")]
    public static partial void WordsKnown(this ILogger logger, string turnId, int length, double? confidence);

    [LoggerMessage(2010, LogLevel.Information, "Turn {TurnId}: {Outcome}; the tutor said {Length} characters in {Parts} part(s); now at {Lesson}/{Step}")]
    public static partial void Taken(this ILogger logger, string turnId, string outcome, int length, int parts, string? lesson, string? step);

    [LoggerMessage(2011, LogLevel.Warning, "Utterance {AudioKey} waited {Waited} for a worker; the device is told Tutor is busy")]
    public static partial void Busy(this ILogger logger, string audioKey, TimeSpan waited);

    [LoggerMessage(2012, LogLevel.Warning, "Dropped a malformed entry {EntryId} of {Stream}")]
    public static partial void MalformedEntry(this ILogger logger, string entryId, string stream);

    [LoggerMessage(2013, LogLevel.Warning, "Utterance {AudioKey} taken over: its worker stopped renewing its lease")]
    public static partial void TakenOver(this ILogger logger, string audioKey);

    [LoggerMessage(2014, LogLevel.Warning, "Turn {AudioKey} finished after another worker had taken it over")]
    public static partial void FinishedAfterTakeOver(this ILogger logger, string audioKey);

    [LoggerMessage(2015, LogLevel.Error, "Turn of entry {EntryId} failed outside the pipeline")]
    public static partial void FailedOutside(this ILogger logger, Exception exception, string entryId);

    [LoggerMessage(2016, LogLevel.Warning, "Lease on entry {EntryId} was taken over by another worker; leaving the turn")]
    public static partial void LeaseTaken(this ILogger logger, string entryId);

    [LoggerMessage(2017, LogLevel.Warning, "Lease on entry {EntryId} could not be renewed for {Lease}; leaving the turn")]
    public static partial void LeaseLost(this ILogger logger, Exception exception, string entryId, TimeSpan lease);

    [LoggerMessage(2018, LogLevel.Warning, "Ignored a malformed abort on {Channel}")]
    public static partial void MalformedAbort(this ILogger logger, string channel);

    [LoggerMessage(2019, LogLevel.Information, "Turn {TurnId} of session {SessionId} aborted by the device")]
    public static partial void Aborted(this ILogger logger, string turnId, string sessionId);

    [LoggerMessage(2020, LogLevel.Error, "Taking utterances off the queue failed unexpectedly; trying again")]
    public static partial void IntakeFailed(this ILogger logger, Exception exception);
}
