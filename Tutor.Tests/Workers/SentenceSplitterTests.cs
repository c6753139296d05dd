using Tutor.Workers.Replies;

namespace Tutor.Tests.Workers;

public sealed class SentenceSplitterTests
{
    [Fact]
    public void Sentences_come_out_as_soon_as_they_end_however_the_text_is_chunked()
    {
        var splitter = new SentenceSplitter();
        var out1 = splitter.Add("Hello the");
        var out2 = splitter.Add("re! How are");
        var out3 = splitter.Add(" you? Fi");
        Assert.Empty(out1);
        Assert.Equal(["Hello there!"], out2);
        Assert.Equal(["How are you?"], out3);
        Assert.Equal("Fi", splitter.Flush());
        Assert.Null(splitter.Flush());
    }

    [Theory]
    [InlineData("It costs 3.50 euros. Good.", new[] { "It costs 3.50 euros.", "Good." })]
    [InlineData("Wait… then go!\nNext line", new[] { "Wait…", "then go!", "Next line" })]
    [InlineData("你好。再见！", new[] { "你好。", "再见！" })]
    [InlineData("  ", new string[0])]
    public void Splits_at_sentence_ends_but_not_inside_numbers(string text, string[] expected)
    {
        var splitter = new SentenceSplitter();
        var sentences = splitter.Add(text).ToList();
        if (splitter.Flush() is { } rest) sentences.Add(rest);
        Assert.Equal(expected, sentences);
    }
}
