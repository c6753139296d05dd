using Microsoft.Extensions.Options;
using Tutor.Workers.Lessons;

namespace Tutor.Workers.Safety;

/// <summary>
/// Moderation without a service: flags words from <c>Safety:BlockedWords</c>. The offline tutor only ever says the
/// lessons' own sentences, so this guards what the child says; with a chat model, configure OpenAI's moderation.
/// </summary>
public sealed class WordListModeration(IOptions<SafetyOptions> options) : IModeration
{
    public Task<bool> IsFlaggedAsync(string text, CancellationToken cancellationToken)
    {
        var words = AnswerMatcher.Normalize(text).Split(' ');
        return Task.FromResult(options.Value.BlockedWords.Any(blocked => words.Contains(AnswerMatcher.Normalize(blocked))));
    }
}

public sealed class SafetyOptions
{
    public const string SectionName = "Safety";

    /// <summary>Words that make the offline moderation flag a sentence.</summary>
    public List<string> BlockedWords { get; set; } = [];
}
