namespace Tutor.Workers.Lessons;

/// <summary>Decides, from what the child said, what the tutor should do next in the lesson.</summary>
public interface ILessonWorkflow
{
    Task<LessonTurn> NextAsync(LessonContext context, CancellationToken cancellationToken);
}

/// <summary>What the workflow knows when the child has spoken.</summary>
public sealed record LessonContext(string UserId, string SessionId, string ChildSaid);

/// <summary>The workflow's decision: the instructions the reply is written under.</summary>
public sealed record LessonTurn(string Instructions, string ChildSaid);
