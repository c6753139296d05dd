using Tutor.Workers.Lessons;

namespace Tutor.Tests.Lessons;

public sealed class AnswerMatcherTests
{
    private static readonly LessonStep Sky = new() { Id = "sky", Kind = StepKinds.Ask, Say = "What colour is the sky?", Expect = ["blue", "it is blue"] };
    private static readonly LessonStep Bird = new() { Id = "bird", Kind = StepKinds.Ask, Say = "Say pájaro", Expect = ["pájaro"] };

    [Theory]
    [InlineData("blue", Judgement.Correct)]
    [InlineData("Blue!", Judgement.Correct)]
    [InlineData("I think it is blue", Judgement.Correct)]
    [InlineData("it's blue", Judgement.Correct)]
    [InlineData("bleu", Judgement.Correct)] // one letter off in a four-letter word
    [InlineData("red", Judgement.Incorrect)]
    [InlineData("bl", Judgement.Incorrect)]
    [InlineData("blueberry pie", Judgement.Incorrect)]
    [InlineData("I don't know", Judgement.Incorrect)]
    [InlineData("", Judgement.Unclear)]
    [InlineData("repeat", Judgement.Unclear)]
    [InlineData("  ...  ", Judgement.Unclear)]
    public void Answers_are_judged_with_tolerance_for_small_mistakes(string said, Judgement expected)
    {
        Assert.Equal(expected, AnswerMatcher.Judge(said, Sky));
    }

    [Theory]
    [InlineData("pajaro")]
    [InlineData("Pájaro")]
    [InlineData("un pajaro")]
    public void Missing_accents_do_not_make_an_answer_wrong(string said)
    {
        Assert.Equal(Judgement.Correct, AnswerMatcher.Judge(said, Bird));
    }
}
