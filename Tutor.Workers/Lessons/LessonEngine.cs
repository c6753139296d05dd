using Tutor.Contracts.Families;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Transcripts;

namespace Tutor.Workers.Lessons;

/// <summary>
/// The lesson workflow: from where the child is and how their answer was judged, where they go next and what the lesson
/// itself says about it (praise and the next question, a hint, the answer revealed after too many tries). Pure: the
/// state comes in and goes out; <see cref="ChildProgressStore"/> keeps it.
/// </summary>
public sealed class LessonEngine(LessonCatalog catalog)
{
    /// <summary>The lesson and the step the child is at, or null when a lesson is yet to start.</summary>
    public (Lesson Lesson, LessonStep Step)? Position(ChildProgress? progress) =>
        catalog.Find(progress?.LessonId) is { } lesson ? (lesson, lesson.Step(progress!.StepId)) : null;

    /// <summary>Where the child goes after this turn and what the lesson says about it.</summary>
    public Move Apply(ChildProgress? progress, ChildProfile child, Judgement judgement)
    {
        if (Position(progress) is not { } position)
        {
            return Begin(progress ?? new ChildProgress(), catalog.ChooseFor(child, progress?.CompletedLessons ?? [], progress?.ChosenLessonId));
        }

        var (lesson, step) = position;
        var state = progress!;
        switch (step.Kind)
        {
            case StepKinds.End:
                // The goodbye was said when the child got here: this turn opens the next lesson.
                var completed = state.CompletedLessons.Contains(lesson.Id) ? state.CompletedLessons : [.. state.CompletedLessons, lesson.Id];
                return Begin(state with { CompletedLessons = completed }, catalog.ChooseFor(child, completed, state.ChosenLessonId));

            case StepKinds.Chat:
                var exchanges = state.Exchanges + 1;
                return exchanges >= step.Turns
                    ? GoTo(state, lesson, lesson.Step(step.Next), prefix: null, outcome: null, [])
                    : new Move(state with { Exchanges = exchanges }, step.Say, null, [], false);

            case StepKinds.Ask when judgement == Judgement.Correct:
                return GoTo(state with { CorrectAnswers = state.CorrectAnswers + 1 }, lesson, lesson.Step(step.Next), step.Praise,
                    Outcomes.Correct, step.Words.Where(w => !state.WordsMastered.Contains(w)).ToList());

            case StepKinds.Ask when judgement == Judgement.Incorrect:
                var attempts = state.Attempts + 1;
                var counted = state with { IncorrectAnswers = state.IncorrectAnswers + 1 };
                return attempts <= step.Retries
                    ? new Move(counted with { Attempts = attempts }, step.Hint!, Outcomes.Incorrect, [], false)
                    : GoTo(counted, lesson, lesson.Step(step.Next), step.Reveal ?? $"{step.Expect[0]}!", Outcomes.Incorrect, []);

            default:
                return new Move(state, Prompt(lesson, step), Outcomes.Unclear, [], false);
        }
    }

    /// <summary>What the tutor says on arriving at <paramref name="step"/>: its words, and on through introductions.</summary>
    public static string Prompt(Lesson lesson, LessonStep step)
    {
        var parts = new List<string>();
        var seen = new HashSet<string>();
        while (seen.Add(step.Id))
        {
            parts.Add(step.Say);
            if (step.Kind != StepKinds.Introduce) break;
            step = lesson.Step(step.Next);
        }
        return string.Join(" ", parts);
    }

    /// <summary>The step the child waits at after arriving at <paramref name="step"/>: past any introductions.</summary>
    public static LessonStep Landing(Lesson lesson, LessonStep step)
    {
        var seen = new HashSet<string>();
        while (step.Kind == StepKinds.Introduce && seen.Add(step.Id)) step = lesson.Step(step.Next);
        return step;
    }

    private static Move Begin(ChildProgress state, Lesson lesson) =>
        GoTo(state with { LessonId = lesson.Id, LessonTitle = lesson.Title, CorrectAnswers = 0, IncorrectAnswers = 0, ChosenLessonId = null }, lesson, lesson.First,
            prefix: null, outcome: null, []);

    private static Move GoTo(ChildProgress state, Lesson lesson, LessonStep next, string? prefix, string? outcome, IReadOnlyList<string> mastered)
    {
        var landing = Landing(lesson, next);
        var met = state.WordsMet.Union(StepsFrom(lesson, next, landing).SelectMany(s => s.Words)).ToList();
        var progress = state with
        {
            LessonId = lesson.Id,
            LessonTitle = lesson.Title,
            StepId = landing.Id,
            StepNumber = lesson.NumberOf(landing),
            StepCount = lesson.Steps.Count,
            Attempts = 0,
            Exchanges = 0,
            WordsMet = met,
            WordsMastered = state.WordsMastered.Union(mastered).ToList(),
        };
        var reply = prefix is null ? Prompt(lesson, next) : $"{prefix} {Prompt(lesson, next)}";
        return new Move(progress, reply, outcome, mastered, landing.Kind == StepKinds.End);
    }

    private static IEnumerable<LessonStep> StepsFrom(Lesson lesson, LessonStep from, LessonStep to)
    {
        var seen = new HashSet<string>();
        for (var step = from; seen.Add(step.Id); step = lesson.Step(step.Next))
        {
            yield return step;
            if (step.Id == to.Id || step.Kind != StepKinds.Introduce) yield break;
        }
    }
}

/// <summary>
/// The outcome of a turn: the child's new progress, what the lesson says (the offline tutor's reply, and the chat
/// tutor's safe fallback), how the answer was judged, the words just mastered and whether the lesson is done.
/// </summary>
public sealed record Move(ChildProgress Progress, string Reply, string? Outcome, IReadOnlyList<string> NewlyMastered, bool LessonCompleted);
