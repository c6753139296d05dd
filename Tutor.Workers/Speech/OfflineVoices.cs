using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Tutor.Workers.Speech;

/// <summary>
/// The offline voice of each language (<see cref="OfflineSpeechOptions.Voices"/>): <c>flite:slt</c> or <c>espeak:es</c>
/// (a plain <c>es</c> too) — both loaded into the worker once and synthesized in-process. English defaults to flite
/// (far clearer than espeak-ng for a few milliseconds more a sentence; festival's HTS voice is closer to natural but
/// costs 17 times flite's CPU — measured by the <c>voices</c> benchmark); the other languages to espeak-ng, the only
/// offline voice Debian has for them.
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
