namespace Tutor.Workers.Lessons;

/// <summary>No lesson yet: the child's words go to the reply writer as they are, under a friendly tutor's instructions.</summary>
public sealed class PassThroughLessonWorkflow : ILessonWorkflow
{
    public const string Instructions =
        "You are Tutor, a warm and patient language tutor talking with a young child through a small speaker. " +
        "Answer in one to three short, simple spoken sentences. Encourage the child and ask one easy question back.";

    public Task<LessonTurn> NextAsync(LessonContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new LessonTurn(Instructions, context.ChildSaid));
}
