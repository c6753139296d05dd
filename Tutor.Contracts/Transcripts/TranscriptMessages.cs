namespace Tutor.Contracts.Transcripts;

/// <summary>What the child's device is doing: <c>offline</c>, <c>listening</c>, <c>thinking</c> or <c>speaking</c>.</summary>
public sealed record DeviceStatus(string UserId, string State, DateTimeOffset At, string? DeviceId = null);

public static class DeviceStates
{
    public const string Offline = "offline";
    public const string Listening = "listening";
    public const string Thinking = "thinking";
    public const string Speaking = "speaking";
}

/// <summary>
/// One line of a conversation. <see cref="Id"/> is its id in the child's history stream (ordered, so a page that
/// reconnects asks for the lines after the last one it has); <see cref="Speaker"/> is <c>child</c> or <c>tutor</c>.
/// <see cref="Outcome"/> (on the child's line) is how the tutor judged the answer:
/// <c>correct</c>, <c>incorrect</c> or <c>unclear</c>; <see cref="Safety"/> marks what child safety did:
/// <c>input_redirected</c> (the child's words were flagged) or <c>reply_replaced</c> (the model's reply was flagged or
/// failed and the lesson's own words were said instead).
/// </summary>
public sealed record TranscriptLine(
    string UserId, string SessionId, string TurnId, string Text, DateTimeOffset At,
    string? LessonId = null, string? StepId = null, string? Outcome = null, string? Safety = null,
    string? Speaker = null, string? Id = null);

public static class Speakers
{
    public const string Child = "child";
    public const string Tutor = "tutor";
}

/// <summary>Where the child is after a turn.</summary>
public sealed record ProgressUpdate(
    string UserId, string? LessonId, string? LessonTitle, string? StepId, int StepNumber, int StepCount,
    string? Outcome, int WordsMastered, IReadOnlyList<string> NewlyMastered, bool LessonCompleted, DateTimeOffset At);

public static class TranscriptGroups
{
    public static string ForUser(string userId) => $"user:{userId}";
}

public static class Outcomes
{
    public const string Correct = "correct";
    public const string Incorrect = "incorrect";
    public const string Unclear = "unclear";
}

public static class SafetyMarks
{
    public const string InputRedirected = "input_redirected";
    public const string ReplyReplaced = "reply_replaced";
}
