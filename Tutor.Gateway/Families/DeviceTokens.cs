using System.Security.Cryptography;
using System.Text;
using Tutor.Contracts.Families;

namespace Tutor.Gateway.Families;

/// <summary>
/// Device secrets. A device's token is <c>{device_id}.{secret}</c>; only the SHA-256 of the secret is stored. The secret
/// is 32 random bytes, so a plain hash is enough: there is nothing to brute-force as there would be with a password.
/// </summary>
public static class DeviceTokens
{
    /// <summary>A new secret: the token to give the device (shown once) and what to store.</summary>
    public static (string Token, DeviceSecret Stored) Issue(TimeProvider time)
    {
        var id = $"dev-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return ($"{id}.{secret}", new DeviceSecret(id, Hash(secret), time.GetUtcNow()));
    }

    /// <summary>Whether <paramref name="token"/> is one of the child's secrets that has not been revoked.</summary>
    public static bool Verify(ChildProfile child, string token)
    {
        var dot = token.IndexOf('.');
        // Stryker disable once equality,arithmetic : an empty id or secret would be refused below anyway (no stored secret has either); the exit only saves the hashing
        if (dot <= 0 || dot == token.Length - 1) return false;
        var id = token[..dot];
        var presented = Convert.FromHexString(Hash(token[(dot + 1)..]));
        var match = false;
        foreach (var secret in child.DeviceSecrets)
        {
            // Every stored hash is compared, in constant time, so timing tells nothing about which part was wrong.
            var stored = TryHex(secret.Sha256);
            match |= CryptographicOperations.FixedTimeEquals(presented, stored) & secret.Id == id & !secret.Revoked;
        }
        return match;
    }

    /// <summary>The device id of a well-formed token (the part before the dot).</summary>
    public static string DeviceIdOf(string token) => token[..token.IndexOf('.')];

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static byte[] TryHex(string hex)
    {
        // Stryker disable once block : without the catch's block the method returns null, which compares as the same empty span
        // (marked here, which also marks the try's block, because a mark inside the catch is not seen)
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
