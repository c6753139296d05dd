using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Families;

/// <summary>
/// Parents' tokens signed out before they expire (local and Firebase alike): a token's fingerprint (SHA-256, never the
/// token) is kept in Redis until the token would have expired, every gateway refuses it from then on, and a hub
/// connection made with it is closed at its next access check.
/// </summary>
public sealed class SignedOutTokens(IConnectionMultiplexer redis, TimeProvider time)
{
    /// <summary>The claim carrying the fingerprint of the token a request was authenticated with.</summary>
    public const string FingerprintClaim = "tutor_token_fingerprint";

    public static string Fingerprint(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string? FingerprintOf(ClaimsPrincipal user) => user.FindFirst(FingerprintClaim)?.Value;

    public async Task SignOutAsync(string fingerprint, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var left = expires - time.GetUtcNow();
        if (left <= TimeSpan.Zero) return;
        await redis.GetDatabase().StringSetAsync(RedisKeys.SignedOutToken(fingerprint), 1, left).WaitAsync(cancellationToken);
    }

    public async Task<bool> IsSignedOutAsync(string fingerprint, CancellationToken cancellationToken) =>
        await redis.GetDatabase().KeyExistsAsync(RedisKeys.SignedOutToken(fingerprint)).WaitAsync(cancellationToken);
}
