namespace Tutor.Contracts.Redis;

/// <summary>The fields of an entry of <see cref="Channels.Announcements"/>.</summary>
public static class AnnouncementFields
{
    public const string SessionId = "session_id";

    /// <summary>The id the spoken reply's events carry, like a turn's.</summary>
    public const string TurnId = "turn_id";

    public const string Text = "text";

    /// <summary>ISO 639-1: which voice says it.</summary>
    public const string Language = "language";

    /// <summary>The consumer group of the workers on the announcements stream.</summary>
    public const string Group = "workers";
}
