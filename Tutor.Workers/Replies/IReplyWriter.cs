using Tutor.Workers.Lessons;

namespace Tutor.Workers.Replies;

/// <summary>Writes the tutor's reply, one sentence at a time as the model produces it, so speech can start early.</summary>
public interface IReplyWriter
{
    IAsyncEnumerable<string> WriteAsync(LessonTurn turn, CancellationToken cancellationToken);
}
