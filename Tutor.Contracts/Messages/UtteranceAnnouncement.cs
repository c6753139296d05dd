namespace Tutor.Contracts.Messages;

/// <summary>
/// Published on <see cref="Redis.Channels.AudioProcessing"/>: <c>{"session_id","audio_key"}</c> as the seed shows.
/// <paramref name="TraceParent"/> (W3C) is an addition that readers of the seed's shape may ignore; it makes one
/// trace of the utterance across the gateway and the worker.
/// </summary>
public sealed record UtteranceAnnouncement(string SessionId, string AudioKey, string? TraceParent = null);
