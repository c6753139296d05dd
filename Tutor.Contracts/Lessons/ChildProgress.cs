namespace Tutor.Contracts.Lessons;

/// <summary>
/// Where a child is in their lessons, kept in Redis at <c>progress:{user_id}</c> so any worker can take the child's
/// next turn and a new session resumes where the last one stopped. The gateway reads it for the parents' page.
/// </summary>
public sealed record ChildProgress
{
    public string? LessonId { get; init; }
    public string? LessonTitle { get; init; }
    public string? StepId { get; init; }
    /// <summary>1-based position of the step in the lesson, for display.</summary>
    public int StepNumber { get; init; }
    public int StepCount { get; init; }
    /// <summary>Wrong answers given to the current step so far.</summary>
    public int Attempts { get; init; }
    /// <summary>Free-conversation exchanges held in the current step.</summary>
    public int Exchanges { get; init; }
    public IReadOnlyList<string> WordsMet { get; init; } = [];
    public IReadOnlyList<string> WordsMastered { get; init; } = [];
    public IReadOnlyList<string> CompletedLessons { get; init; } = [];
    public int CorrectAnswers { get; init; }
    public int IncorrectAnswers { get; init; }
    /// <summary>The last turns of conversation, oldest first, for the chat model's context.</summary>
    public IReadOnlyList<ConversationTurn> Recent { get; init; } = [];
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>A lesson a parent chose to start next: the next lesson to begin is this one, whatever would come otherwise.</summary>
    public string? ChosenLessonId { get; init; }
}

/// <summary>What the parents' page shows of a lesson; the workers publish their catalog as these (<c>lessons:catalog</c>).</summary>
public sealed record LessonSummary(string Id, string Title, string TargetLanguage, string InstructionLanguage, string Level, int Steps,
    IReadOnlyList<string> Vocabulary);

/// <param name="TurnId">The utterance's turn: a turn run again (its worker died after saving) finds itself here and is not applied twice.</param>
public sealed record ConversationTurn(string ChildSaid, string TutorSaid, DateTimeOffset At, string? TurnId = null);

/// <summary>
/// What one turn did, for the progress pictures (stream <c>facts:{user_id}</c>): ids, outcome, the lesson's words the
/// child mastered, and how long the child spoke — never what was said.
/// </summary>
public sealed record TurnFact(string TurnId, DateTimeOffset At, string? LessonId, string? LessonTitle, string? Outcome,
    IReadOnlyList<string> Mastered, int SpokeMilliseconds, int WordsMasteredTotal);
