using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Tutor.Workers.Speech;

/// <summary>
/// Offline speech with Debian's espeak-ng, at a child-friendly speed: the voice of every language Debian has no other
/// offline voice for. It writes a WAV to its standard output (no file), read here in-process; one sentence takes it a
/// few tens of milliseconds.
/// </summary>
public sealed class EspeakTextToSpeech(IOptions<OfflineSpeechOptions> options, OfflineEngineGate gate)
{
    /// <param name="voice">An espeak-ng voice (<c>en-us</c>, <c>es</c>, …).</param>
    public async IAsyncEnumerable<SpeechChunk> SynthesizeAsync(string sentence, string voice, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var speech = options.Value;
        var (exit, wav, errors) = await gate.RunAsync(() => ExternalTool.RunAsync(speech.EspeakPath,
            ["-v", voice, "-s", speech.WordsPerMinute.ToString(), "--stdout", "--", sentence], TimeSpan.FromSeconds(30), cancellationToken), cancellationToken);
        if (exit != 0 || wav.Length < 44)
        {
            throw new InvalidOperationException($"espeak-ng could not say the sentence (exit {exit}): {errors.Trim()}");
        }
        await foreach (var chunk in DeviceSpeech.FromWav(wav)) yield return chunk;
    }
}
