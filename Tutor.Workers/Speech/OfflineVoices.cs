using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Tutor.Workers.Speech;

/// <summary>
/// The offline voice of each language (<see cref="OfflineSpeechOptions.Voices"/>): <c>flite:slt</c> — flite's voice,
/// loaded into the worker once and synthesized in-process — or <c>espeak:es</c> (a plain <c>es</c> too), espeak-ng. English
/// defaults to flite (clearer than espeak-ng for about the same CPU; festival's HTS voice is closer to natural but costs
/// 19 times the CPU — measured by the <c>voices</c> benchmark); the other languages to espeak-ng, the only offline voice
/// Debian has for them.
/// </summary>
public sealed class OfflineVoices(IOptions<OfflineSpeechOptions> options, OfflineEngineGate gate, EspeakTextToSpeech espeak) : ITextToSpeech
{
    public async IAsyncEnumerable<SpeechChunk> SynthesizeAsync(string sentence, string? language, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (engine, voice) = OfflineSpeechOptions.ParseVoice(options.Value.VoiceFor(language));
        if (engine == OfflineSpeechOptions.Flite)
        {
            var flite = FliteVoice.Load(voice);
            yield return await gate.RunAsync(() => Task.Run(() => flite.Say(sentence), cancellationToken), cancellationToken);
            yield break;
        }
        await foreach (var chunk in espeak.SynthesizeAsync(sentence, voice, cancellationToken)) yield return chunk;
    }
}
