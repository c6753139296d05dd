using Tutor.Contracts.Audio;

namespace Tutor.Workers.Speech;

/// <summary>Turns the child's utterance into text.</summary>
public interface ISpeechToText
{
    Task<string> TranscribeAsync(PcmAudio utterance, CancellationToken cancellationToken);
}
