using Tutor.Contracts.Families;
using Tutor.Contracts.Lessons;
using Tutor.Workers.Lessons;

namespace Tutor.Workers.Replies;

/// <summary>Judges the child's answer and says the tutor's reply, sentence by sentence as it is written.</summary>
public interface ITutor
{
    IAsyncEnumerable<TutorEvent> RespondAsync(TutorRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Everything a tutor needs for one turn: who the child is, where they are, what they said, and what the lesson would
/// say for each judgement (the offline tutor says exactly that; the chat tutor is told it).
/// </summary>
public sealed record TutorRequest(
    ChildProfile Child, Lesson Lesson, LessonStep Step, ChildProgress Progress, string ChildSaid,
    Move IfCorrect, Move IfIncorrect, Move IfUnclear)
{
    /// <summary>The turn of a child at <paramref name="step"/>, with the lesson's move for each judgement worked out.</summary>
    public static TutorRequest For(LessonEngine engine, ChildProfile child, Lesson lesson, LessonStep step, ChildProgress progress, string childSaid) =>
        new(child, lesson, step, progress, childSaid,
            engine.Apply(progress, child, Judgement.Correct), engine.Apply(progress, child, Judgement.Incorrect), engine.Apply(progress, child, Judgement.Unclear));

    public Move MoveFor(Judgement judgement) => judgement switch
    {
        Judgement.Correct => IfCorrect,
        Judgement.Incorrect => IfIncorrect,
        _ => IfUnclear,
    };
}

public abstract record TutorEvent;

/// <summary>The tutor's judgement of the child's answer.</summary>
public sealed record Judged(Judgement Judgement) : TutorEvent;

/// <summary>A sentence to say; <see cref="WrittenByModel"/> sentences pass the output moderation, the lesson's own do not need to.</summary>
public sealed record Said(string Sentence, bool WrittenByModel) : TutorEvent;

/// <summary>The model's answer could not be used (malformed, refused, failed).</summary>
public sealed class TutorReplyException(string message, Exception? inner = null) : Exception(message, inner);
