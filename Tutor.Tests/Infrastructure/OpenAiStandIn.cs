using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tutor.Contracts.Audio;

namespace Tutor.Tests.Infrastructure;

/// <summary>
/// A local HTTP server that speaks the parts of OpenAI's API Tutor uses — multipart transcription upload, streamed chat
/// completions and speech — and records what the SDK sent, so tests can check both directions. It lives in the tests only.
/// </summary>
public sealed class OpenAiStandIn : IAsyncLifetime
{
    public const string ApiKey = "sk-test-stand-in";
    public const int SpeechSampleRate = 24000;

    /// <summary>Milliseconds of synthesized speech per character of text.</summary>
    public const int SpeechMillisecondsPerCharacter = 30;

    private WebApplication? _app;

    public Uri Endpoint { get; private set; } = null!;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The Authorization header of every request, as sent.</summary>
    public ConcurrentQueue<string> Authorizations { get; } = new();

    /// <summary>Accept any API key, as a self-hosted OpenAI-compatible server does.</summary>
    public bool AcceptAnyKey { get; set; }

    /// <summary>How long each speech request takes, as a real text-to-speech service does.</summary>
    public TimeSpan SpeechDelay { get; set; }

    /// <summary>When set, chat completions are refused with 400, as OpenAI does for a request it will not serve.</summary>
    public bool RefuseChat { get; set; }

    /// <summary>When set, transcriptions are refused with 400 (a speech engine failing the turn).</summary>
    public bool RefuseTranscriptions { get; set; }

    public IEnumerable<RecordedRequest> Transcriptions => Requests.Where(r => r.Path.EndsWith("/audio/transcriptions"));
    public IEnumerable<RecordedRequest> ChatCompletions => Requests.Where(r => r.Path.EndsWith("/chat/completions"));
    public IEnumerable<RecordedRequest> Speeches => Requests.Where(r => r.Path.EndsWith("/audio/speech"));
    public IEnumerable<RecordedRequest> Moderations => Requests.Where(r => r.Path.EndsWith("/moderations"));

    /// <summary>What the child "said", as the stand-in hears it: the utterance's length, which the test controls.</summary>
    public static string TranscriptOf(PcmAudio utterance) => $"I spoke for {(int)Math.Round(utterance.Duration.TotalMilliseconds)} milliseconds";

    /// <summary>Transcripts to return instead, one per transcription request, in order (what the test wants the child to have said).</summary>
    public ConcurrentQueue<string> NextTranscripts { get; } = new();

    /// <summary>The stand-in tutor's reply without structured output: three sentences, streamed a few characters at a time.</summary>
    public static string ReplyTo(string childSaid) => $"You said: {childSaid}. Well done! Can you say it again?";

    /// <summary>How the stand-in model answers a structured (JSON schema) request.</summary>
    public ChatBehaviour Chat { get; set; } = ChatBehaviour.Tutor;

    /// <summary>Words the moderation endpoint flags.</summary>
    public const string FlaggedWord = "flagword";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            // A stand-in that fails should say why in the test output, not only answer 500.
            try { await next(context); } catch (Exception ex) { Console.Error.WriteLine($"OpenAI stand-in failed: {ex}"); throw; }
        });
        _app.Use(async (context, next) =>
        {
            Authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            if (!AcceptAnyKey && context.Request.Headers.Authorization != $"Bearer {ApiKey}")
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(new { error = new { message = "Incorrect API key provided.", type = "invalid_request_error", code = "invalid_api_key" } });
                return;
            }
            await next(context);
        });
        _app.MapPost("/v1/audio/transcriptions", TranscribeAsync);
        _app.MapPost("/v1/chat/completions", CompleteChatAsync);
        _app.MapPost("/v1/audio/speech", SpeakAsync);
        _app.MapPost("/v1/moderations", ModerateAsync);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Endpoint = new Uri($"{address}/v1");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    private async Task TranscribeAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var file = form.Files["file"];
        if (file is null || string.IsNullOrEmpty(form["model"]))
        {
            await BadRequestAsync(context, "'file' and 'model' are required.");
            return;
        }

        using var content = new MemoryStream();
        await file.CopyToAsync(content);
        var recorded = new RecordedRequest(context.Request.Path, form["model"]!,
            form.Keys.ToDictionary(k => k, k => form[k].ToString()), null, content.ToArray(), file.FileName);
        Requests.Enqueue(recorded);
        if (RefuseTranscriptions)
        {
            await BadRequestAsync(context, "The stand-in was told to refuse this request.");
            return;
        }

        PcmAudio utterance;
        try
        {
            utterance = WavFile.ReadPcm16(recorded.File);
        }
        catch (InvalidDataException ex)
        {
            await BadRequestAsync(context, $"Invalid file format: {ex.Message}");
            return;
        }

        var text = NextTranscripts.TryDequeue(out var scripted) ? scripted : TranscriptOf(utterance);
        if (form["response_format"] == "text")
        {
            await context.Response.WriteAsync(text);
        }
        else
        {
            await context.Response.WriteAsJsonAsync(new { text });
        }
    }

    private async Task CompleteChatAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var model = body?["model"]?.GetValue<string>();
        var messages = body?["messages"]?.AsArray();
        if (model is null || messages is null || messages.Count == 0)
        {
            await BadRequestAsync(context, "'model' and 'messages' are required.");
            return;
        }
        Requests.Enqueue(new RecordedRequest(context.Request.Path, model, new Dictionary<string, string>(), body, [], null));
        if (RefuseChat)
        {
            await BadRequestAsync(context, "The stand-in was told to refuse this request.");
            return;
        }

        var lastUser = messages.LastOrDefault(m => m?["role"]?.GetValue<string>() == "user");
        var structured = body!["response_format"]?["type"]?.GetValue<string>() == "json_schema";
        var reply = structured
            ? AnswerAsTutor(ContentOf(messages.FirstOrDefault(m => m?["role"]?.GetValue<string>() == "system")) ?? "", ContentOf(lastUser) ?? "")
            : ReplyTo(ContentOf(lastUser) ?? "");
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        if (body!["stream"]?.GetValue<bool>() != true)
        {
            await context.Response.WriteAsJsonAsync(new
            {
                id, @object = "chat.completion", created = 1_700_000_000, model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = reply }, finish_reason = "stop" } },
            });
            return;
        }

        context.Response.ContentType = "text/event-stream";
        async Task ChunkAsync(object delta, string? finishReason)
        {
            var chunk = JsonSerializer.Serialize(new
            {
                id, @object = "chat.completion.chunk", created = 1_700_000_000, model,
                choices = new[] { new { index = 0, delta, finish_reason = finishReason } },
            });
            await context.Response.WriteAsync($"data: {chunk}\n\n");
            await context.Response.Body.FlushAsync();
        }

        await ChunkAsync(new { role = "assistant", content = "" }, null);
        for (var i = 0; i < reply.Length; i += 7)
        {
            await ChunkAsync(new { content = reply.Substring(i, Math.Min(7, reply.Length - i)) }, null);
        }
        await ChunkAsync(new { }, "stop");
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    private async Task SpeakAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var model = body?["model"]?.GetValue<string>();
        var input = body?["input"]?.GetValue<string>();
        if (model is null || string.IsNullOrEmpty(input) || body?["voice"] is null)
        {
            await BadRequestAsync(context, "'model', 'input' and 'voice' are required.");
            return;
        }
        Requests.Enqueue(new RecordedRequest(context.Request.Path, model, new Dictionary<string, string>(), body, [], null));

        var format = body!["response_format"]?.GetValue<string>();
        if (format is not ("pcm" or "wav"))
        {
            await BadRequestAsync(context, "This stand-in speaks pcm and wav only.");
            return;
        }

        if (SpeechDelay > TimeSpan.Zero) await Task.Delay(SpeechDelay, context.RequestAborted);
        var pcm = Tone(SpeechDuration(input));
        if (format == "wav")
        {
            context.Response.ContentType = "audio/wav";
            await context.Response.Body.WriteAsync(WavFile.FromPcm16(pcm, SpeechSampleRate, 1));
            return;
        }

        // Raw PCM streams as OpenAI's does, in pieces of odd sizes that split samples.
        context.Response.ContentType = "audio/pcm";
        for (var offset = 0; offset < pcm.Length; offset += 4801)
        {
            await context.Response.Body.WriteAsync(pcm.AsMemory(offset, Math.Min(4801, pcm.Length - offset)), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    /// <summary>
    /// Behaves like a well-instructed model: reads the accepted answers and the three scripted replies from the system
    /// prompt, judges the child's words, and answers with the JSON the schema asks for.
    /// </summary>
    private string AnswerAsTutor(string system, string childSaid)
    {
        if (Chat == ChatBehaviour.Malformed) return "Sure! Here is my answer: red is a nice colour.";
        string? Quoted(string marker) => system.Split('\n').FirstOrDefault(l => l.Contains(marker)) is { } line
            ? line[(line.IndexOf(": \"", line.IndexOf(marker), StringComparison.Ordinal) + 3)..].TrimEnd().TrimEnd('"')
            : null;
        var accepted = system.Split('\n').FirstOrDefault(l => l.StartsWith("Accepted answers: "))?["Accepted answers: ".Length..]
            .Split(" | ").Select(a => a.Trim().ToLowerInvariant()).ToList();
        string judgement, reply;
        if (accepted is null)
        {
            (judgement, reply) = ("correct", "That sounds like fun! What else did you do?");
        }
        else if (string.IsNullOrWhiteSpace(childSaid))
        {
            (judgement, reply) = ("unclear", Quoted("If you cannot tell") ?? "");
        }
        else if (accepted.Any(a => childSaid.ToLowerInvariant().Contains(a)))
        {
            (judgement, reply) = ("correct", $"Well done! {Quoted("If the answer is correct")}");
        }
        else
        {
            (judgement, reply) = ("incorrect", Quoted("If it is wrong") ?? "");
        }
        if (Chat == ChatBehaviour.Unsafe) reply = $"Here is a bad word: {FlaggedWord}. {reply}";
        return JsonSerializer.Serialize(new { judgement, reply });
    }

    private async Task ModerateAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var input = body?["input"] switch
        {
            JsonValue text => text.GetValue<string>(),
            JsonArray texts => string.Join(" ", texts.Select(t => t?.GetValue<string>())),
            _ => "",
        };
        Requests.Enqueue(new RecordedRequest(context.Request.Path, body?["model"]?.GetValue<string>() ?? "", new Dictionary<string, string>(), body, [], null));
        var flagged = input.Contains(FlaggedWord, StringComparison.OrdinalIgnoreCase);
        await context.Response.WriteAsJsonAsync(new
        {
            id = $"modr-{Guid.NewGuid():N}",
            model = body?["model"]?.GetValue<string>() ?? "omni-moderation-latest",
            results = new[]
            {
                new
                {
                    flagged,
                    categories = new Dictionary<string, bool> { ["harassment"] = flagged, ["violence"] = false },
                    category_scores = new Dictionary<string, double> { ["harassment"] = flagged ? 0.97 : 0.01, ["violence"] = 0.0 },
                    category_applied_input_types = new Dictionary<string, string[]> { ["harassment"] = ["text"], ["violence"] = ["text"] },
                },
            },
        });
    }

    /// <summary>How long the stand-in's speech for <paramref name="text"/> lasts.</summary>
    public static TimeSpan SpeechDuration(string text) => TimeSpan.FromMilliseconds(text.Length * SpeechMillisecondsPerCharacter);

    /// <summary>A 440 Hz tone, PCM16 at 24 kHz, OpenAI's speech sample rate, so the worker has to resample it for the device.</summary>
    private static byte[] Tone(TimeSpan duration)
    {
        var samples = (int)(duration.TotalSeconds * SpeechSampleRate);
        var pcm = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            var value = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / SpeechSampleRate));
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), value);
        }
        return pcm;
    }

    private static string? ContentOf(JsonNode? message) => message?["content"] switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>())),
        _ => null,
    };

    private static Task BadRequestAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = (int)HttpStatusCode.BadRequest;
        return context.Response.WriteAsJsonAsync(new { error = new { message, type = "invalid_request_error" } });
    }
}

public enum ChatBehaviour
{
    /// <summary>Judges by the prompt's accepted answers and says the prompt's scripted replies.</summary>
    Tutor,
    /// <summary>Ignores the schema and answers in prose.</summary>
    Malformed,
    /// <summary>Puts a word the moderation flags into its reply.</summary>
    Unsafe,
}

/// <summary>One request the stand-in received.</summary>
public sealed record RecordedRequest(string Path, string Model, IReadOnlyDictionary<string, string> Form, JsonNode? Json, byte[] File, string? FileName)
{
    public DateTimeOffset At { get; } = DateTimeOffset.UtcNow;
}
