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
}

/// <summary>The log category of the pairing endpoints (static endpoint classes cannot name one).</summary>
internal sealed class PairingLogCategory;
