using System.Runtime.CompilerServices;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;
using Tutor.Workers.Providers;

namespace Tutor.Workers.Replies;

/// <summary>
/// The tutor on the operator's own chat model (a GGUF file) inside the worker, through LLamaSharp (llama.cpp): the same
/// prompt as <see cref="ChatTutor"/>, put into the model's own chat template, and the answer held to the tutor's JSON by a
/// grammar — a small model cannot wander out of it, and every answer ends (the reply is at most
/// <see cref="MaxReplyCharacters"/>). The weights are loaded once, at the worker's start; each turn gets a fresh context.
/// One answer is written at a time, with all of <see cref="ProviderChoice.Threads"/>.
/// </summary>
public sealed class LlamaTutor : ITutor, IDisposable
{
    public const int MaxReplyCharacters = 400;

    /// <summary>
    /// <see cref="TutorPrompt.AnswerSchema"/> as a GBNF grammar: judgement first, then a reply of printable Latin
    /// characters (the lessons' languages; no emoji, which the voices cannot say) of bounded length.
    /// </summary>
    private static readonly string AnswerGrammar = $$"""
        root ::= "{" ws "\"judgement\"" ws ":" ws judgement ws "," ws "\"reply\"" ws ":" ws "\"" char{1,{{MaxReplyCharacters}}} "\"" ws "}"
        judgement ::= "\"correct\"" | "\"incorrect\"" | "\"unclear\""
        char ::= [ !#-\x5B\x5D-~\u00A1-\u00FF\u0152\u0153] | "\\" ["\\/]
        ws ::= " "?
        """;

    private readonly LLamaWeights _weights;
    private readonly ModelParams _parameters;
    private readonly SemaphoreSlim _one = new(1);

    public LlamaTutor(ProviderChoice choice, ILogger<LlamaTutor> logger)
    {
        // llama.cpp writes its loading report (a hundred lines per model) to the console; only its warnings and errors
        // are worth the worker's log. (It never logs prompts or answers.)
        NativeLogConfig.llama_log_set((level, message) =>
        {
            if (level is LLamaLogLevel.Warning or LLamaLogLevel.Error) logger.Llama(message.TrimEnd());
        });
        var path = LocalModelFile.Check(choice, "Providers:Chat:ModelPath", "a GGUF chat model such as qwen2.5-0.5b-instruct-q4_0.gguf");
        var threads = choice.Threads ?? Environment.ProcessorCount;
        _parameters = new ModelParams(path)
        {
            ContextSize = (uint)choice.ContextSize,
            Threads = threads,
            BatchThreads = threads,
            GpuLayerCount = 0,
        };
        try
        {
            _weights = LLamaWeights.LoadFromFile(_parameters);
        }
        catch (Exception ex)
        {
            throw LocalModelFile.Broken(path, "a GGUF chat model", ex);
        }
    }

    public async IAsyncEnumerable<TutorEvent> RespondAsync(TutorRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prompt = PromptFor(_weights, request);
        var inference = new InferenceParams
        {
            // The grammar ends the answer by itself; this is room for the longest reply even if written byte by byte
            // (two bytes for an accented letter) and the JSON around it.
            MaxTokens = 2 * MaxReplyCharacters + 64,
            SamplingPipeline = new DefaultSamplingPipeline { Temperature = 0.6f, Grammar = new Grammar(AnswerGrammar, "root") },
        };

        await _one.WaitAsync(cancellationToken);
        try
        {
            var executor = new StatelessExecutor(_weights, _parameters);
            await foreach (var tutorEvent in TutorAnswer.ReadAsync(executor.InferAsync(prompt, inference, cancellationToken), cancellationToken))
            {
                yield return tutorEvent;
            }
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>The turn's messages (as <see cref="ChatTutor"/> sends them) in the model's own chat template.</summary>
    public static string PromptFor(LLamaWeights weights, TutorRequest request)
    {
        var chat = new LLamaTemplate(weights) { AddAssistant = true };
        chat.Add("system", TutorPrompt.System(request));
        foreach (var turn in request.Progress.Recent)
        {
            chat.Add("user", turn.ChildSaid);
            chat.Add("assistant", turn.TutorSaid);
        }
        chat.Add("user", request.ChildSaid);
        return Encoding.UTF8.GetString(chat.Apply());
    }

    public void Dispose()
    {
        _weights.Dispose();
        _one.Dispose();
    }
}
