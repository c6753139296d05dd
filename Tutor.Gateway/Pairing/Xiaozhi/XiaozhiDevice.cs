using System.Security.Cryptography;
using System.Text;

namespace Tutor.Gateway.Pairing.Xiaozhi;

/// <summary>
/// A xiaozhi device as its OTA requests name it: <c>Device-Id</c> (its MAC address) and <c>Client-Id</c> (a UUID the
/// board made once and keeps). The MAC is no secret — radios announce it — so a binding also remembers the Client-Id's hash,
/// and only the device that started an activation may finish it or fetch its secret.
/// </summary>
public sealed record XiaozhiDevice(string DeviceId, string ClientHash)
{
    public const int MaxIdLength = 64;

    /// <summary>The device named by the request's headers, or null (with the reason) when they are missing or malformed.</summary>
    public static (XiaozhiDevice? Device, string? Error) From(HttpRequest request)
    {
        var deviceId = request.Headers["Device-Id"].ToString().Trim();
        var clientId = request.Headers["Client-Id"].ToString().Trim();
        if (!IsId(deviceId, allowColons: true)) return (null, $"A Device-Id header is required: the device's MAC address (1 to {MaxIdLength} of A-Z a-z 0-9 : - _).");
        if (!IsId(clientId, allowColons: false)) return (null, $"A Client-Id header is required: the device's UUID (1 to {MaxIdLength} of A-Z a-z 0-9 - _).");
        return (new XiaozhiDevice(deviceId.ToLowerInvariant(), Hash(clientId)), null);
    }

    private static bool IsId(string value, bool allowColons) =>
        value.Length is > 0 and <= MaxIdLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (allowColons && c == ':'));

    private static string Hash(string clientId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientId)));
}
