using System.Runtime.CompilerServices;
using System.Text.Json;
using Tutor.Workers.Lessons;

namespace Tutor.Workers.Replies;

/// <summary>
/// Reads a chat model's answer — the JSON of <see cref="TutorPrompt.AnswerSchema"/> — as it streams in, whichever model
/// wrote it: each sentence of its reply as soon as it is complete, then its judgement.
/// </summary>
public static class TutorAnswer
{
    public static async IAsyncEnumerable<TutorEvent> ReadAsync(IAsyncEnumerable<string> chunks, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var answer = new ReplyJsonStream();
        var splitter = new SentenceSplitter();
        await foreach (var chunk in chunks.WithCancellation(cancellationToken))
        {
            foreach (var sentence in splitter.Add(answer.Add(chunk)))
            {
                yield return new Said(sentence, WrittenByModel: true);
            }
        }

        if (splitter.Flush() is { } last) yield return new Said(last, WrittenByModel: true);
        yield return new Judged(JudgementOf(answer.Json));
    }

    private static Judgement JudgementOf(string json)
    {
        try
        {
            using var answer = JsonDocument.Parse(json);
            if (!answer.RootElement.TryGetProperty("reply", out var reply) || reply.ValueKind != JsonValueKind.String || reply.GetString()!.Trim().Length == 0)
            {
                throw new TutorReplyException("The chat model's answer has no reply.");
            }
            return answer.RootElement.TryGetProperty("judgement", out var judgement) ? judgement.GetString() switch
            {
                "correct" => Judgement.Correct,
                "incorrect" => Judgement.Incorrect,
                "unclear" => Judgement.Unclear,
                var other => throw new TutorReplyException($"The chat model's judgement '{other}' is not one of correct, incorrect, unclear."),
            } : throw new TutorReplyException("The chat model's answer has no judgement.");
        }
        catch (JsonException ex)
        {
            throw new TutorReplyException("The chat model's answer is not the JSON asked for.", ex);
        }
    }
}
