namespace Tutor.Gateway.Pairing;

/// <summary>What pairing logs (event ids 1200–1299): session and user ids, never the code.</summary>
internal static partial class PairingLog
{
    [LoggerMessage(1200, LogLevel.Information, "Pairing session {SessionId} waits with a code for {Lifetime}")]
    public static partial void Waiting(this ILogger logger, string sessionId, TimeSpan lifetime);

    [LoggerMessage(1201, LogLevel.Information, "Pairing session {SessionId} paired with {UserId}")]
    public static partial void Paired(this ILogger logger, string sessionId, string userId);

    [LoggerMessage(1202, LogLevel.Warning, "Pairing error {Code}: {Message}")]
    public static partial void PairingError(this ILogger logger, string code, string message);

    [LoggerMessage(1203, LogLevel.Debug, "Forgetting a pairing code failed; it expires by itself")]
    public static partial void ForgetFailed(this ILogger logger, Exception exception);

    [LoggerMessage(1204, LogLevel.Information, "Device {DeviceId} paired with {UserId} by {Parent}")]
    public static partial void DevicePaired(this ILogger logger, string deviceId, string userId, string parent);

    [LoggerMessage(1205, LogLevel.Information, "xiaozhi device {DeviceId} checks in unbound; its activation code lives {Lifetime}")]
    public static partial void XiaozhiActivating(this ILogger logger, string deviceId, TimeSpan lifetime);

    [LoggerMessage(1206, LogLevel.Information, "xiaozhi device {DeviceId} bound to {UserId}")]
    public static partial void XiaozhiBound(this ILogger logger, string deviceId, string userId);

    [LoggerMessage(1207, LogLevel.Information, "xiaozhi device {DeviceId} is no longer bound to {UserId} (its secret was revoked or the child deleted)")]
    public static partial void XiaozhiUnbound(this ILogger logger, string deviceId, string userId);

    [LoggerMessage(1208, LogLevel.Information, "xiaozhi check-in refused: {Reason}")]
    public static partial void XiaozhiRefused(this ILogger logger, string reason);
}

/// <summary>The log category of the pairing endpoints (static endpoint classes cannot name one).</summary>
internal sealed class PairingLogCategory;
