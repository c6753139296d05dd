namespace Tutor.Contracts.Transcripts;

/// <summary>What a hub client receives.</summary>
public interface ITranscriptClient
{
    Task ChildSaid(TranscriptLine line);
    Task TutorSaid(TranscriptLine line);
}

/// <summary>One line of a conversation.</summary>
public sealed record TranscriptLine(string UserId, string SessionId, string TurnId, string Text, DateTimeOffset At);

public static class TranscriptGroups
{
    public static string ForUser(string userId) => $"user:{userId}";
}
