using Tutor.Contracts.Transcripts;

namespace Tutor.Realtime.Transcripts;

/// <summary>What a hub client receives.</summary>
public interface ITranscriptClient
{
    Task ChildSaid(TranscriptLine line);
    Task TutorSaid(TranscriptLine line);
    Task ProgressChanged(ProgressUpdate progress);
    Task DeviceStatusChanged(DeviceStatus status);
}
