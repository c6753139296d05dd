namespace Tutor.Workers.Lessons;

/// <summary>A lesson as a teacher writes it (a JSON file in the lessons directory; the schema is in the README).</summary>
public sealed record Lesson
{
    public string Id { get; init; } = "";
    public string Title { get; init; } = "";
    /// <summary>The language the child is learning (ISO 639-1).</summary>
    public string TargetLanguage { get; init; } = "";
    /// <summary>The language the tutor explains in: usually the child's native language.</summary>
    public string InstructionLanguage { get; init; } = "";
    public string Level { get; init; } = "";
    public IReadOnlyList<string> Vocabulary { get; init; } = [];
    public IReadOnlyList<LessonStep> Steps { get; init; } = [];

    /// <summary>What the tutor says when the child's words were not kind (before asking the question again).</summary>
    public string Redirect { get; init; } = "Let's use kind and friendly words.";

    /// <summary>What the tutor says when it is not sure what the child said (before asking the question again).</summary>
    public string Pardon { get; init; } = "Sorry, can you say that again?";

    /// <summary>The file it came from, for messages.</summary>
    public string Source { get; init; } = "";

    public LessonStep First => Steps[0];

    public LessonStep Step(string? id) => Steps.FirstOrDefault(s => s.Id == id) ?? First;

    public int NumberOf(LessonStep step) => Steps.ToList().IndexOf(step) + 1;
}

public sealed record LessonStep
{
    public string Id { get; init; } = "";
    /// <summary><c>introduce</c>, <c>ask</c>, <c>chat</c> or <c>end</c> (see <see cref="StepKinds"/>).</summary>
    public string Kind { get; init; } = "";
    /// <summary>What the tutor says for this step (the question, for <c>ask</c>).</summary>
    public string Say { get; init; } = "";
    /// <summary>Accepted answers (<c>ask</c>); close variants are tolerated by the matcher.</summary>
    public IReadOnlyList<string> Expect { get; init; } = [];
    /// <summary>The vocabulary this step practises: met when asked, mastered when answered right.</summary>
    public IReadOnlyList<string> Words { get; init; } = [];
    public string? Hint { get; init; }
    public string? Praise { get; init; }
    /// <summary>What is said when the child has not found the answer after <see cref="Retries"/> hints.</summary>
    public string? Reveal { get; init; }
    /// <summary>Wrong answers that get a hint before the tutor reveals the answer and moves on.</summary>
    public int Retries { get; init; } = 2;
    /// <summary>Free-conversation exchanges (<c>chat</c>) before moving on.</summary>
    public int Turns { get; init; } = 3;
    /// <summary>The topic of a <c>chat</c> step, for the chat model.</summary>
    public string? Topic { get; init; }
    public string? Next { get; init; }
}

public static class StepKinds
{
    /// <summary>Says something and goes straight on to the next step.</summary>
    public const string Introduce = "introduce";
    /// <summary>Asks a question and waits for an accepted answer.</summary>
    public const string Ask = "ask";
    /// <summary>Free conversation on a topic for a number of exchanges.</summary>
    public const string Chat = "chat";
    /// <summary>The last step: says goodbye; the next turn starts the next lesson.</summary>
    public const string End = "end";

    public static readonly string[] All = [Introduce, Ask, Chat, End];
}
