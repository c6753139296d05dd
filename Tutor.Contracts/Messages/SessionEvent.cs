namespace Tutor.Contracts.Messages;

/// <summary>
/// What a worker publishes on <see cref="Redis.Channels.Responses"/> for one session. The seed's message is
/// <c>{"type":"audio_response","audio_key"}</c>; a reply may come as several of them, numbered by
/// <see cref="Sequence"/> and closed by <see cref="SessionEventTypes.ReplyEnd"/>. Tutor's workers also keep each event in
/// the session's reply stream (<see cref="Redis.RedisKeys.ReplyStream"/>) and name its entry in <see cref="StreamId"/>, so a
/// gateway that missed a message reads it there; an event without one (a publisher that only speaks the seed's shape)
/// is relayed as it comes.
/// </summary>
public sealed record SessionEvent(
    string Type,
    string? AudioKey = null,
    string? TurnId = null,
    int? Sequence = null,
    string? Text = null,
    string? Code = null,
    string? Message = null,
    string? TraceParent = null,
    string? StreamId = null,
    string? LessonId = null,
    string? StepId = null,
    string? Outcome = null)
{
    /// <summary>The child's words, once known.</summary>
    public static SessionEvent Transcript(string turnId, string text) => new(SessionEventTypes.Transcript, TurnId: turnId, Text: text);

    /// <summary>
    /// One part of the tutor's reply: its audio is at <paramref name="audioKey"/>, in the device's format. A sentence's
    /// speech streams in several parts; <paramref name="text"/> (the sentence) comes with its first part only.
    /// </summary>
    public static SessionEvent AudioResponse(string turnId, int sequence, string audioKey, string? text, string? traceParent) =>
        new(SessionEventTypes.AudioResponse, AudioKey: audioKey, TurnId: turnId, Sequence: sequence, Text: text, TraceParent: traceParent);

    /// <summary>
    /// The reply is complete: no more parts follow for this turn. It names the lesson step the child answered and how the
    /// answer was judged (ids and a judgement, never words), so the gateway can name the turn's trace.
    /// </summary>
    public static SessionEvent ReplyEnd(string turnId, string? lessonId = null, string? stepId = null, string? outcome = null) =>
        new(SessionEventTypes.ReplyEnd, TurnId: turnId, LessonId: lessonId, StepId: stepId, Outcome: outcome);

    /// <summary>The turn could not be answered; <paramref name="message"/> is safe to show the user.</summary>
    public static SessionEvent Failure(string turnId, string code, string message) =>
        new(SessionEventTypes.Error, TurnId: turnId, Code: code, Message: message);
}

public static class SessionEventTypes
{
    public const string Transcript = "stt";
    public const string AudioResponse = "audio_response";
    public const string ReplyEnd = "reply_end";
    public const string Error = "error";
}
