namespace Tutor.Contracts.Messages;

/// <summary>Published on <see cref="Redis.Channels.TurnAborts"/> when a device aborts: the worker running the turn stops it.</summary>
public sealed record TurnAbort(string SessionId, string TurnId);
