using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tutor.Benchmarks.Load;

/// <summary>
/// An OpenAI-compatible server with the latencies of real engines, for the load benchmark only: transcription answers
/// after a delay; chat streams its structured reply after a first-token delay at a steady token rate; speech streams its
/// body (PCM or WAV, 24 kHz like OpenAI's) after a first-byte delay at a multiple of real time; moderation flags nothing.
/// </summary>
public sealed class EngineStandIn(EngineLatencies latencies) : IAsyncDisposable
{
    public const string ApiKey = "sk-load-benchmark";
    private const int SampleRate = 24000;

    /// <summary>Three sentences, about 25 words: what a tutor says in one turn.</summary>
    public const string Reply = "Well done! The sky is blue and the grass is green, just as you said. Can you tell me the colour of a banana?";

    /// <summary>What the stand-in model streams: the structured answer the tutor's schema asks for, judgement first.</summary>
    public static readonly string StructuredReply = JsonSerializer.Serialize(new { judgement = "unclear", reply = Reply });

    /// <summary>
    /// How long the engines alone take from the end of the utterance to the first audio of a model turn: transcription,
    /// the first token, the tokens up to the end of the first sentence (and the space after it), the speech's first byte.
    /// Anything above it is Tutor's own doing.
    /// </summary>
    public static TimeSpan EngineFloor(EngineLatencies latencies)
    {
        var firstSentenceEnd = StructuredReply.IndexOf("! ", StringComparison.Ordinal) + 2;
        return latencies.Transcription + latencies.FirstToken + latencies.TokenInterval * (firstSentenceEnd / 4) + latencies.SpeechFirstByte;
    }

    private static readonly byte[] Tone = MakeTone(TimeSpan.FromSeconds(1));
    private WebApplication? _app;

    public Uri Endpoint { get; private set; } = null!;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/audio/transcriptions", TranscribeAsync);
        _app.MapPost("/v1/chat/completions", CompleteChatAsync);
        _app.MapPost("/v1/audio/speech", SpeakAsync);
        _app.MapPost("/v1/moderations", ModerateAsync);
        await _app.StartAsync();
        Endpoint = new Uri($"{_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()}/v1");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    private async Task TranscribeAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        await Task.Delay(latencies.Transcription, context.RequestAborted);
        const string text = "The sky is blue";
        if (form["response_format"] == "text") await context.Response.WriteAsync(text);
        else await context.Response.WriteAsJsonAsync(new { text });
    }

    private async Task CompleteChatAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var model = body?["model"]?.GetValue<string>() ?? "model";
        var content = body?["response_format"]?["type"]?.GetValue<string>() == "json_schema" ? StructuredReply : Reply;
        await Task.Delay(latencies.FirstToken, context.RequestAborted);
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        if (body?["stream"]?.GetValue<bool>() != true)
        {
            await Task.Delay(latencies.TokenInterval * (content.Length / 4), context.RequestAborted);
            await context.Response.WriteAsJsonAsync(new
            {
                id, @object = "chat.completion", created = 1_700_000_000, model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
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
            await context.Response.WriteAsync($"data: {chunk}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        await ChunkAsync(new { role = "assistant", content = "" }, null);
        // About four characters a token, as English text has; the first is sent as soon as the first-token delay is over.
        var started = DateTime.UtcNow;
        for (int i = 0, token = 0; i < content.Length; i += 4, token++)
        {
            var due = started + latencies.TokenInterval * token - DateTime.UtcNow;
            if (due > TimeSpan.Zero) await Task.Delay(due, context.RequestAborted);
            await ChunkAsync(new { content = content.Substring(i, Math.Min(4, content.Length - i)) }, null);
        }
        await ChunkAsync(new { }, "stop");
        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
    }

    private async Task SpeakAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var input = body?["input"]?.GetValue<string>() ?? "";
        var format = body?["response_format"]?.GetValue<string>() ?? "mp3";
        if (format is not ("pcm" or "wav"))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { error = new { message = "This stand-in speaks pcm and wav only.", type = "invalid_request_error" } });
            return;
        }

        var bytes = (int)(latencies.SpeechDuration(input).TotalSeconds * SampleRate) * 2;
        await Task.Delay(latencies.SpeechFirstByte, context.RequestAborted);
        context.Response.ContentType = format == "wav" ? "audio/wav" : "audio/pcm";
        if (format == "wav")
        {
            // A streamed WAV does not know its length yet: OpenAI writes 0xFFFFFFFF sizes, as here.
            var header = new byte[44];
            Encoding.ASCII.GetBytes("RIFF").CopyTo(header, 0);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), uint.MaxValue);
            Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(header, 8);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), 16);
            BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(20), 1);
            BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(22), 1);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), SampleRate);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(28), SampleRate * 2);
            BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(32), 2);
            BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(34), 16);
            Encoding.ASCII.GetBytes("data").CopyTo(header, 36);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), uint.MaxValue);
            await context.Response.Body.WriteAsync(header, context.RequestAborted);
        }

        // The body streams at a multiple of real time, in 100 ms pieces of audio, as a synthesizer produces it; an instant
        // engine sends it all at once.
        var piece = latencies.SpeechSpeed > 0 ? SampleRate / 10 * 2 : Tone.Length;
        var started = DateTime.UtcNow;
        for (var sent = 0; sent < bytes; sent += piece)
        {
            if (latencies.SpeechSpeed > 0)
            {
                var due = started + TimeSpan.FromSeconds(sent / 2.0 / SampleRate / latencies.SpeechSpeed) - DateTime.UtcNow;
                if (due > TimeSpan.Zero) await Task.Delay(due, context.RequestAborted);
            }
            var length = Math.Min(piece, bytes - sent);
            var offset = sent % Tone.Length;
            await context.Response.Body.WriteAsync(Tone.AsMemory(offset, Math.Min(length, Tone.Length - offset)), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    private static async Task ModerateAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        await context.Response.WriteAsJsonAsync(new
        {
            id = $"modr-{Guid.NewGuid():N}",
            model = body?["model"]?.GetValue<string>() ?? "omni-moderation-latest",
            results = new[]
            {
                new
                {
                    flagged = false,
                    categories = new Dictionary<string, bool> { ["harassment"] = false },
                    category_scores = new Dictionary<string, double> { ["harassment"] = 0.01 },
                    category_applied_input_types = new Dictionary<string, string[]> { ["harassment"] = ["text"] },
                },
            },
        });
    }

    /// <summary>A 330 Hz tone, PCM16 at 24 kHz; a whole number of periods long so that it loops without a click.</summary>
    private static byte[] MakeTone(TimeSpan duration)
    {
        var samples = (int)(duration.TotalSeconds * SampleRate);
        var pcm = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), (short)(6000 * Math.Sin(2 * Math.PI * 330 * i / SampleRate)));
        }
        return pcm;
    }
}

/// <summary>How slow each engine is; <see cref="Instant"/> is all zeros.</summary>
public sealed record EngineLatencies(TimeSpan Transcription, TimeSpan FirstToken, double TokensPerSecond, TimeSpan SpeechFirstByte, double SpeechSpeed)
{
    public static readonly EngineLatencies Realistic = new(TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(400), 50,
        TimeSpan.FromMilliseconds(300), 4);

    public static readonly EngineLatencies Instant = new(TimeSpan.Zero, TimeSpan.Zero, 0, TimeSpan.Zero, 0);

    public TimeSpan TokenInterval => TokensPerSecond > 0 ? TimeSpan.FromSeconds(1 / TokensPerSecond) : TimeSpan.Zero;

    /// <summary>How long the spoken text lasts: about 14 characters a second, a calm speaking pace.</summary>
    public TimeSpan SpeechDuration(string text) => TimeSpan.FromSeconds(text.Length / 14.0);
}
