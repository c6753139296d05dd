namespace Tutor.Contracts.Redis;

/// <summary>Every Redis pub/sub channel Tutor uses. Only references travel on them, never audio.</summary>
public static class Channels
{
    /// <summary>The gateway announces each stored utterance here as an <see cref="Messages.UtteranceAnnouncement"/>.</summary>
    public const string AudioProcessing = "audio:processing";

    /// <summary>
    /// Every accepted utterance is also recorded in this stream (fields <c>session_id</c>, <c>audio_key</c>,
    /// <c>traceparent</c>) until a worker finishes its turn: pub/sub keeps nothing, so an announcement no worker heard, or
    /// a turn whose worker died, is found here and taken again.
    /// </summary>
    public const string PendingUtterances = "audio:pending";

    /// <summary>Workers publish a session's <see cref="Messages.SessionEvent"/>s here; the gateway holding the socket listens.</summary>
    public static string Responses(string sessionId) => $"responses:{sessionId}";

    /// <summary>The gateway asks workers to stop turns the child interrupted (<see cref="Messages.TurnAbort"/>); every worker listens.</summary>
    public const string TurnAborts = "turns:abort";

    /// <summary>The prefix of the SignalR backplane's channels; gateway and workers must use the same one.</summary>
    public const string SignalRPrefix = "tutor-signalr";
}
