using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Audio;
using Tutor.Workers.Providers;

namespace Tutor.Workers.Speech;

/// <summary>
/// Speaks with OpenAI's <c>/audio/speech</c>, asking for raw PCM (<c>response_format: pcm</c>, 24 kHz 16-bit mono) and
/// reading the body as it streams in, so the first audio reaches the device one first byte after the request, not one
/// whole sentence later. Nothing is decoded: raw PCM needs only resampling.
/// </summary>
public sealed class OpenAiTextToSpeech(OpenAIClient client, string model, IOptions<OpenAiOptions> options) : ITextToSpeech
{
    private readonly AudioClient _audio = client.GetAudioClient(model);

    public async IAsyncEnumerable<SpeechChunk> SynthesizeAsync(string sentence, string? language,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var body = BinaryContent.Create(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["model"] = model,
            ["input"] = sentence,
            ["voice"] = options.Value.Voice,
            ["response_format"] = "pcm",
        })));
        // Not buffered: the SDK hands over the body stream as it arrives.
        var result = await _audio.GenerateSpeechAsync(body, new RequestOptions { BufferResponse = false, CancellationToken = cancellationToken });
        using var response = result.GetRawResponse();
        await using var stream = response.ContentStream ?? throw new InvalidOperationException("The speech endpoint sent no body.");
        var rate = options.Value.SpeechSampleRate;
        var buffer = new byte[8192];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0) yield break;
            yield return new SpeechChunk(buffer.AsMemory(0, read), rate);
        }
    }
}
