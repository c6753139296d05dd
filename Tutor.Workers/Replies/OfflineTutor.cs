using System.Runtime.CompilerServices;
using Tutor.Workers.Lessons;

namespace Tutor.Workers.Replies;

/// <summary>
/// The embedded default: a deterministic tutor that judges with <see cref="AnswerMatcher"/> and speaks the lesson's own
/// prompts, hints and praise. No model, no key, no network.
/// </summary>
public sealed class OfflineTutor : ITutor
{
    public async IAsyncEnumerable<TutorEvent> RespondAsync(TutorRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var judgement = request.Step.Kind == StepKinds.Ask ? AnswerMatcher.Judge(request.ChildSaid, request.Step) : Judgement.Correct;
        yield return new Judged(judgement);
        foreach (var sentence in Sentences(request.MoveFor(judgement).Reply))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new Said(sentence, WrittenByModel: false);
        }
        await Task.CompletedTask;
    }

    public static IEnumerable<string> Sentences(string text)
    {
        var splitter = new SentenceSplitter();
        foreach (var sentence in splitter.Add(text)) yield return sentence;
        if (splitter.Flush() is { } rest) yield return rest;
    }
}
