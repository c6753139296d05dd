using System.ClientModel;
using System.Runtime.CompilerServices;
using OpenAI;
using OpenAI.Chat;

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

        await foreach (var tutorEvent in TutorAnswer.ReadAsync(TextAsync(messages, completion, cancellationToken), cancellationToken))
        {
            yield return tutorEvent;
        }
    }

    private async IAsyncEnumerable<string> TextAsync(List<ChatMessage> messages, ChatCompletionOptions completion,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var updates = _chat.CompleteChatStreamingAsync(messages, completion, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (updates)
        {
            while (await NextAsync(updates))
            {
                foreach (var part in updates.Current.ContentUpdate) yield return part.Text ?? "";
            }
        }
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
}
