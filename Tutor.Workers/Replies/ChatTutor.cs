using System.ClientModel;
using System.Runtime.CompilerServices;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Tutor.Workers.Lessons;

namespace Tutor.Workers.Replies;

/// <summary>
/// The tutor on a chat model: the prompt carries the child's profile, the lesson step and the recent turns; the model
/// answers with structured JSON (its judgement and its spoken reply), streamed so the reply is spoken sentence by sentence.
/// </summary>
public sealed class ChatTutor(OpenAIClient client, string model) : ITutor
{
    private readonly ChatClient _chat = client.GetChatClient(model);

    public async IAsyncEnumerable<TutorEvent> RespondAsync(TutorRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage> { new SystemChatMessage(TutorPrompt.System(request)) };
        foreach (var turn in request.Progress.Recent)
        {
            messages.Add(new UserChatMessage(turn.ChildSaid));
            messages.Add(new AssistantChatMessage(turn.TutorSaid));
        }
        messages.Add(new UserChatMessage(request.ChildSaid));
        var completion = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("tutor_turn", BinaryData.FromString(TutorPrompt.AnswerSchema), jsonSchemaIsStrict: true),
            MaxOutputTokenCount = 400,
        };

        var answer = new ReplyJsonStream();
        var splitter = new SentenceSplitter();
        var updates = _chat.CompleteChatStreamingAsync(messages, completion, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (updates)
        {
            while (await NextAsync(updates))
            {
                foreach (var part in updates.Current.ContentUpdate)
                {
                    foreach (var sentence in splitter.Add(answer.Add(part.Text ?? "")))
                    {
                        yield return new Said(sentence, WrittenByModel: true);
                    }
                }
            }
        }

        if (splitter.Flush() is { } last) yield return new Said(last, WrittenByModel: true);
        yield return new Judged(JudgementOf(answer.Json));
    }

    private static async Task<bool> NextAsync(IAsyncEnumerator<StreamingChatCompletionUpdate> updates)
    {
        try
        {
            return await updates.MoveNextAsync();
        }
        catch (ClientResultException ex)
        {
            throw new TutorReplyException($"The chat model failed: {ex.Status} {ex.Message}", ex);
        }
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
