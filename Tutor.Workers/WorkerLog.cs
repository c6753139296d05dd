namespace Tutor.Workers;

/// <summary>What the worker's start and its announcements log (event ids 2300–2399).</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(2300, LogLevel.Information, "Providers: {Providers}")]
    public static partial void Providers(this ILogger logger, Providers.ActiveProviders providers);

    [LoggerMessage(2301, LogLevel.Information, "Published {Count} lessons for the parents' page")]
    public static partial void LessonsPublished(this ILogger logger, int count);

    [LoggerMessage(2302, LogLevel.Warning, "Dropped a malformed announcement {EntryId}")]
    public static partial void MalformedAnnouncement(this ILogger logger, string entryId);

    [LoggerMessage(2303, LogLevel.Information, "Announcement {TurnId} spoken to session {SessionId} in {Parts} part(s)")]
    public static partial void Announced(this ILogger logger, string turnId, string sessionId, int parts);

    [LoggerMessage(2304, LogLevel.Warning, "Announcement {EntryId} could not be spoken")]
    public static partial void AnnouncementFailed(this ILogger logger, Exception exception, string entryId);
}
