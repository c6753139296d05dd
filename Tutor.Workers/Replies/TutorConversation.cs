using Microsoft.Extensions.Options;
using Tutor.Contracts.Families;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Transcripts;
using Tutor.Workers.Lessons;
using Tutor.Workers.Safety;
using Tutor.Workers.Speech;

namespace Tutor.Workers.Replies;

/// <summary>
/// One turn of the lesson with child safety around it: the child's words are moderated (a flagged input gets a gentle
/// redirect and the question again), the tutor judges and replies, every sentence a model wrote is moderated before it is
/// spoken, and a reply that is flagged or fails is replaced by the lesson's own words — the child never hears silence or
/// an unsafe sentence. The engine then moves the child on.
/// </summary>
public sealed class TutorConversation(LessonEngine engine, ITutor tutor, IModeration moderation, IOptions<LessonOptions> options,
    ILogger<TutorConversation> logger)
{
    /// <summary>What the child is likely to say now: the step's answers, the lesson's words, the phrases children use.</summary>
    public RecognitionHints HintsFor(ChildProgress? progress) => engine.Position(progress) is { } position
        ? new RecognitionHints([.. position.Step.Expect, .. position.Lesson.Vocabulary], position.Lesson.TargetLanguage,
            FreeSpeech: position.Step.Kind == StepKinds.Chat)
        : RecognitionHints.None;

    /// <summary>Which tutor writes the replies (its type's name), for the turn's trace.</summary>
    public string TutorEngine => tutor.GetType().Name;

    /// <summary>Takes the turn; <paramref name="speak"/> says each sentence (with its language) as soon as it is ready.</summary>
    /// <param name="firstToken">Told once, when the tutor's first words (its judgement, or a first sentence) arrive.</param>
    public async Task<TurnResult> TakeTurnAsync(ChildProfile child, ChildProgress? progress, Transcript heard,
        Func<string, string?, Task> speak, CancellationToken cancellationToken, Action? firstToken = null)
    {
        var childSaid = heard.Text;
        if (engine.Position(progress) is not { } position || position.Step.Kind == StepKinds.End)
        {
            // A new child, or a lesson just finished: the (next) lesson opens; there is nothing to judge.
            var opening = engine.Apply(progress, child, Judgement.Unclear);
            var opened = engine.Position(opening.Progress)!.Value.Lesson;
            return new TurnResult(opening, await SayAsync(opening.Reply, opened, speak), null);
        }

        var (lesson, step) = position;
        var current = progress!;
        if (await IsFlaggedAsync(childSaid, failSafe: false, cancellationToken))
        {
            var redirect = $"{lesson.Redirect} {LessonEngine.Prompt(lesson, step)}";
            logger.Redirected();
            return new TurnResult(new Move(current, redirect, null, [], false), await SayAsync(redirect, lesson, speak), SafetyMarks.InputRedirected);
        }

        if (step.Kind == StepKinds.Ask && heard.Confidence < options.Value.MinConfidence)
        {
            // The recognizer is not sure what the child said: a wrong judgement would teach the wrong thing, so the tutor
            // asks again (no try counted) — whatever the words it thinks it heard.
            var unclear = engine.Apply(current, child, Judgement.Unclear);
            var again = $"{lesson.Pardon} {unclear.Reply}";
            logger.AskingAgain(heard.Confidence);
            return new TurnResult(unclear with { Reply = again }, await SayAsync(again, lesson, speak), null);
        }

        var request = TutorRequest.For(engine, child, lesson, step, current, childSaid);
        Judgement? judgement = null;
        var said = new List<string>();
        string? safety = null;
        try
        {
            await foreach (var tutorEvent in tutor.RespondAsync(request, cancellationToken))
            {
                if (firstToken is not null)
                {
                    firstToken();
                    firstToken = null;
                }
                switch (tutorEvent)
                {
                    case Judged judged:
                        judgement = judged.Judgement;
                        break;
                    case Said sentence when sentence.WrittenByModel && await IsFlaggedAsync(sentence.Sentence, failSafe: true, cancellationToken):
                        throw new TutorReplyException("A sentence of the reply was flagged by moderation.");
                    case Said sentence:
                        await speak(sentence.Sentence, LanguageOf(sentence.Sentence, lesson));
                        said.Add(sentence.Sentence);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The type only: a message about the model's output may quote it, and that is the child's conversation.
            logger.ReplyReplaced(ex.GetType().Name);
            safety = SafetyMarks.ReplyReplaced;
        }

        judgement ??= step.Kind == StepKinds.Ask ? AnswerMatcher.Judge(childSaid, step) : Judgement.Correct;
        var move = request.MoveFor(judgement.Value);
        if (safety is not null)
        {
            said.Add(await SayAsync(move.Reply, lesson, speak));
        }
        return new TurnResult(move, string.Join(" ", said), safety);
    }

    private async Task<bool> IsFlaggedAsync(string text, bool failSafe, CancellationToken cancellationToken)
    {
        try
        {
            return await moderation.IsFlaggedAsync(text, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Unchecked model words are not spoken; an unchecked child's answer is still answered.
            logger.ModerationFailed(ex, failSafe ? "flagged" : "fine");
            return failSafe;
        }
    }

    private static async Task<string> SayAsync(string text, Lesson lesson, Func<string, string?, Task> speak)
    {
        foreach (var sentence in OfflineTutor.Sentences(text)) await speak(sentence, LanguageOf(sentence, lesson));
        return text;
    }

    private static string? LanguageOf(string sentence, Lesson lesson) => LanguageGuess.Of(sentence, lesson.TargetLanguage, lesson.InstructionLanguage);
}

/// <summary>What a turn did: the engine's move, what the tutor said, and what child safety did (see <see cref="SafetyMarks"/>).</summary>
public sealed record TurnResult(Move Move, string TutorSaid, string? Safety);
