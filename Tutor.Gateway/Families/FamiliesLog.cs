namespace Tutor.Gateway.Families;

/// <summary>What sign-in, profiles and access checks log (event ids 1100–1199): ids and addresses, never secrets or tokens.</summary>
internal static partial class FamiliesLog
{
    [LoggerMessage(1100, LogLevel.Warning, "Device sign-in for user {UserId} from {Address} turned away: too many failures")]
    public static partial void DeviceSignInThrottled(this ILogger logger, string userId, string address);

    [LoggerMessage(1101, LogLevel.Warning, "Device sign-in refused for user {UserId} from {Address}")]
    public static partial void DeviceSignInRefused(this ILogger logger, string userId, string address);

    [LoggerMessage(1102, LogLevel.Error, "Device sign-in for {UserId} could not be checked")]
    public static partial void DeviceSignInUnchecked(this ILogger logger, Exception exception, string userId);

    [LoggerMessage(1103, LogLevel.Warning, "Access of connection {ConnectionId} to {UserId} could not be checked again")]
    public static partial void AccessUnchecked(this ILogger logger, Exception exception, string connectionId, string userId);

    [LoggerMessage(1104, LogLevel.Information, "Connection {ConnectionId} no longer may follow {UserId}; disconnecting it")]
    public static partial void AccessEnded(this ILogger logger, string connectionId, string userId);

    [LoggerMessage(1105, LogLevel.Warning, "Families:LocalSigningKey is not set: this gateway signs parents' tokens with a key of its own, which other gateways and its next start do not accept")]
    public static partial void OwnSigningKey(this ILogger logger);

    [LoggerMessage(1106, LogLevel.Information, "Profile of {UserId} loaded from {Source}: {Found}")]
    public static partial void ProfileLoaded(this ILogger logger, string userId, string source, string found);

    [LoggerMessage(1107, LogLevel.Information, "Child {UserId} added by {Parent}")]
    public static partial void ChildAdded(this ILogger logger, string userId, string parent);

    [LoggerMessage(1108, LogLevel.Information, "Child {UserId} deleted by {Parent}")]
    public static partial void ChildDeleted(this ILogger logger, string userId, string? parent);

    [LoggerMessage(1109, LogLevel.Information, "Device {DeviceId} issued for {UserId} by {Parent}")]
    public static partial void DeviceIssued(this ILogger logger, string deviceId, string userId, string? parent);

    [LoggerMessage(1110, LogLevel.Information, "Device {DeviceId} of {UserId} revoked by {Parent}")]
    public static partial void DeviceRevoked(this ILogger logger, string deviceId, string userId, string? parent);

    [LoggerMessage(1111, LogLevel.Warning, "Local sign-in refused for {ParentId} from {Address}")]
    public static partial void LocalSignInRefused(this ILogger logger, string? parentId, string address);

    [LoggerMessage(1112, LogLevel.Information, "History of {UserId} deleted by {Parent}")]
    public static partial void HistoryDeleted(this ILogger logger, string userId, string? parent);

    [LoggerMessage(1113, LogLevel.Error, "The profile source did not answer")]
    public static partial void ProfileSourceDown(this ILogger logger, Exception exception);
}

/// <summary>The log category of the families' endpoints (static endpoint classes cannot name one).</summary>
internal sealed class FamiliesLogCategory;
