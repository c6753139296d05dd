using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Tutor.Workers.Speech;

/// <summary>
/// Offline speech with Debian's espeak-ng, at a child-friendly speed: the voice of every language Debian has no other
/// offline voice for. The library is loaded into the worker (<see cref="EspeakLibrary"/>); one sentence takes it a few
/// tens of milliseconds, with no process per sentence.
/// </summary>
public sealed class EspeakTextToSpeech(IOptions<OfflineSpeechOptions> options, OfflineEngineGate gate)
{
    /// <param name="voice">An espeak-ng voice (<c>en-us</c>, <c>es</c>, …).</param>
    public async IAsyncEnumerable<SpeechChunk> SynthesizeAsync(string sentence, string voice, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var wordsPerMinute = options.Value.WordsPerMinute;
        yield return await gate.RunAsync(() => Task.Run(() => EspeakLibrary.Say(sentence, voice, wordsPerMinute), cancellationToken), cancellationToken);
    }
}
