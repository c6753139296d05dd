using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Families;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Transcripts;
using Tutor.Tests.Infrastructure;
using Tutor.Workers.Lessons;

namespace Tutor.Tests.Lessons;

/// <summary>The lesson workflow on scripted conversations over the shipped lessons.</summary>
public sealed class LessonEngineTests
{
    private static readonly ChildProfile SpanishSpeaker = new("mia", "Mia", 7, "es", "en", "beginner", ["p"], []);
    private static readonly ChildProfile EnglishSpeaker = new("sam", "Sam", 8, "en", "es", "beginner", ["p"], []);
    private readonly LessonEngine _engine = new(new LessonCatalog(
        Options.Create(new LessonOptions { Directory = ShippedLessons.Directory }), new HostingEnvironment { ContentRootPath = "/" }));

    [Fact]
    public void A_new_child_starts_the_lesson_for_their_languages()
    {
        var mia = _engine.Apply(null, SpanishSpeaker, Judgement.Unclear);
        var sam = _engine.Apply(null, EnglishSpeaker, Judgement.Unclear);

        Assert.Equal(("colours-en-for-es", "strawberry", 2, 7), (mia.Progress.LessonId, mia.Progress.StepId, mia.Progress.StepNumber, mia.Progress.StepCount));
        Assert.Equal("¡Hola! Hoy aprendemos los colores en inglés. Rojo is red. Azul is blue. What colour is a strawberry? Di: red.", mia.Reply);
        Assert.Equal(["red", "blue"], mia.Progress.WordsMet);
        Assert.Null(mia.Outcome);
        Assert.Equal("animals-es-for-en", sam.Progress.LessonId);
    }

    [Fact]
    public void A_right_answer_is_praised_and_the_next_question_asked()
    {
        var move = _engine.Apply(At("strawberry"), SpanishSpeaker, Judgement.Correct);

        Assert.Equal("Great job! Red! And the sky? What colour is the sky?", move.Reply);
        Assert.Equal(("sky", Outcomes.Correct, 1), (move.Progress.StepId, move.Outcome, move.Progress.CorrectAnswers));
        Assert.Equal(["red"], move.NewlyMastered);
        Assert.Contains("red", move.Progress.WordsMastered);
    }

    [Fact]
    public void A_wrong_answer_gets_the_hint_until_the_retry_limit_then_the_answer_and_the_next_question()
    {
        var first = _engine.Apply(At("strawberry"), SpanishSpeaker, Judgement.Incorrect);
        var second = _engine.Apply(first.Progress, SpanishSpeaker, Judgement.Incorrect);
        var third = _engine.Apply(second.Progress, SpanishSpeaker, Judgement.Incorrect);

        Assert.Equal(("La fresa es roja. In English: red. Say: red!", "strawberry", 1), (first.Reply, first.Progress.StepId, first.Progress.Attempts));
        Assert.Equal(("strawberry", 2), (second.Progress.StepId, second.Progress.Attempts));
        Assert.Equal("It is red! Red. And the sky? What colour is the sky?", third.Reply);
        Assert.Equal(("sky", 0, 3), (third.Progress.StepId, third.Progress.Attempts, third.Progress.IncorrectAnswers));
        Assert.Empty(third.NewlyMastered);
        Assert.DoesNotContain("red", third.Progress.WordsMastered);
    }

    [Fact]
    public void An_unclear_answer_repeats_the_question_without_counting_a_try()
    {
        var move = _engine.Apply(At("sky", attempts: 1), SpanishSpeaker, Judgement.Unclear);

        Assert.Equal("And the sky? What colour is the sky?", move.Reply);
        Assert.Equal(("sky", 1, Outcomes.Unclear), (move.Progress.StepId, move.Progress.Attempts, move.Outcome));
    }

    [Fact]
    public void Introductions_are_said_on_the_way_to_the_next_question()
    {
        var move = _engine.Apply(At("sky"), SpanishSpeaker, Judgement.Correct);

        Assert.Equal("Yes! Blue, like the sky! Amarillo is yellow. Verde is green. What colour is the sun?", move.Reply);
        Assert.Equal("sun", move.Progress.StepId);
        Assert.Contains("green", move.Progress.WordsMet);
    }

    [Fact]
    public void A_whole_lesson_of_right_answers_ends_it_and_the_next_turn_opens_the_next_lesson()
    {
        var move = _engine.Apply(null, SpanishSpeaker, Judgement.Unclear);
        for (var answers = 0; answers < 4; answers++) move = _engine.Apply(move.Progress, SpanishSpeaker, Judgement.Correct);

        Assert.True(move.LessonCompleted);
        Assert.EndsWith("You know four colours: red, blue, yellow and green. Bye bye!", move.Reply);
        Assert.Equal(["red", "blue", "yellow", "green"], move.Progress.WordsMastered);

        var next = _engine.Apply(move.Progress, SpanishSpeaker, Judgement.Unclear);
        Assert.Equal("free-talk-en", next.Progress.LessonId);
        Assert.Equal(["colours-en-for-es"], next.Progress.CompletedLessons);
        Assert.StartsWith("Hello again!", next.Reply);
    }

    [Fact]
    public void Free_conversation_goes_on_for_the_steps_number_of_exchanges()
    {
        var progress = new ChildProgress { LessonId = "free-talk-en", StepId = "my-day" };
        for (var exchange = 1; exchange < 4; exchange++)
        {
            var move = _engine.Apply(progress, SpanishSpeaker, Judgement.Correct);
            Assert.Equal(("my-day", exchange), (move.Progress.StepId, move.Progress.Exchanges));
            progress = move.Progress;
        }

        var last = _engine.Apply(progress, SpanishSpeaker, Judgement.Correct);
        Assert.Equal("goodbye", last.Progress.StepId);
        Assert.True(last.LessonCompleted);
    }

    private static ChildProgress At(string step, int attempts = 0) =>
        new() { LessonId = "colours-en-for-es", LessonTitle = "Colours in English", StepId = step, Attempts = attempts };
}
