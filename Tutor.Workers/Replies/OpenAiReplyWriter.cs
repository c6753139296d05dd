using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;
using Tutor.Workers.Lessons;
using Tutor.Workers.OpenAi;

namespace Tutor.Workers.Replies;

/// <summary>Streams the reply from a chat-completions model and yields it sentence by sentence.</summary>
public sealed class OpenAiReplyWriter(OpenAIClient client, IOptions<OpenAiOptions> options) : IReplyWriter
{
    private readonly ChatClient _chat = client.GetChatClient(options.Value.ChatModel);

    public async IAsyncEnumerable<string> WriteAsync(LessonTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ChatMessage[] messages = [new SystemChatMessage(turn.Instructions), new UserChatMessage(turn.ChildSaid)];
        var splitter = new SentenceSplitter();
        await foreach (var update in _chat.CompleteChatStreamingAsync(messages, new ChatCompletionOptions(), cancellationToken))
        {
            foreach (var part in update.ContentUpdate)
            {
                foreach (var sentence in splitter.Add(part.Text ?? ""))
                {
                    yield return sentence;
                }
            }
        }

        if (splitter.Flush() is { } last)
        {
            yield return last;
        }
    }
}
