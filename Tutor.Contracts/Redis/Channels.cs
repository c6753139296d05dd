namespace Tutor.Contracts.Redis;

/// <summary>Every Redis pub/sub channel Tutor uses. Only references travel on them, never audio.</summary>
public static class Channels
{
    /// <summary>
    /// The gateway announces each stored utterance here as an <see cref="Messages.UtteranceAnnouncement"/>, as the seed
    /// does; it wakes idle workers, which then take the utterance from <see cref="PendingUtterances"/>.
    /// </summary>
    public const string AudioProcessing = "audio:processing";

    /// <summary>
    /// The queue of accepted utterances (fields: <see cref="PendingUtteranceFields"/>). Workers read it in one consumer
    /// group, so each utterance goes to exactly one worker; an entry stays until its turn is over, so one whose worker
    /// died is taken over by another. The announcement on <see cref="AudioProcessing"/> only wakes them.
    /// </summary>
    public const string PendingUtterances = "audio:pending";

    /// <summary>Workers publish a session's <see cref="Messages.SessionEvent"/>s here; the gateway holding the socket listens.</summary>
    public static string Responses(string sessionId) => $"responses:{sessionId}";

    /// <summary>The gateway asks workers to stop turns the child interrupted (<see cref="Messages.TurnAbort"/>); every worker listens.</summary>
    public const string TurnAborts = "turns:abort";

    /// <summary>
    /// Gateways tell each other to close a device's connections (a <c>DeviceEviction</c>): when the device connects
    /// again (one connection per device secret, the newest wins) and when a parent revokes its secret. Every gateway listens.
    /// </summary>
    public const string DeviceEvictions = "devices:evict";

    /// <summary>
    /// Things the gateway wants said to a device that are not a turn's reply — a pairing code (fields:
    /// <see cref="AnnouncementFields"/>). One worker of the group <c>workers</c> speaks each, into the session's replies.
    /// </summary>
    public const string Announcements = "announcements:pending";

    /// <summary>Wakes the workers when an announcement is queued (the queue is also looked at every few seconds).</summary>
    public const string AnnouncementsWake = "announcements:wake";

    /// <summary>The prefix of the SignalR backplane's channels; gateway and workers must use the same one.</summary>
    public const string SignalRPrefix = "tutor-signalr";
}
