using Microsoft.Extensions.Primitives;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Families;

namespace Tutor.Gateway.Families;

/// <summary>
/// Checks a device's secret on <c>/ws/{user_id}</c> before the upgrade: <c>Authorization: Bearer &lt;token&gt;</c>, or, for
/// clients that cannot set headers (browsers), <c>?authorization=Bearer+&lt;token&gt;</c> as xiaozhi's web clients send it, or
/// <c>?token=</c>. Query values never reach logs or traces (the request instrumentation redacts them). An unknown user and a wrong or revoked secret get the same answer.
/// The secret is checked first: it is 256 random bits, so a right one is proof on its own, and a device is never refused
/// because another behind the same address failed; only failures are counted, per (address, user).
/// </summary>
public sealed class DeviceAuthenticator(ProfileStore profiles, SignInThrottle throttle, ILogger<DeviceAuthenticator> logger)
{
    public async Task<DeviceSignIn> AuthenticateAsync(HttpContext context, string userId, CancellationToken cancellationToken)
    {
        var token = TokenOf(context.Request);
        if (token is null) return DeviceSignIn.MissingCredentials;

        // Stryker disable once string : Kestrel always knows the address; only in-memory transports have none
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        try
        {
            var child = await profiles.FindAsync(userId, cancellationToken);
            if (child is not null && DeviceTokens.Verify(child, token)) return DeviceSignIn.Accepted(child, DeviceTokens.DeviceIdOf(token));

            if (!await throttle.TryCountAsync(address, $"device:{userId}", cancellationToken))
            {
                logger.DeviceSignInThrottled(userId, address);
                return DeviceSignIn.Throttled;
            }
            logger.DeviceSignInRefused(userId, address);
            return DeviceSignIn.Refused;
        }
        catch (Exception ex) when (ex is ProfileSourceUnavailableException || ex.IsRedisFailure())
        {
            logger.DeviceSignInUnchecked(ex, userId);
            return DeviceSignIn.Unavailable;
        }
    }

    private static string? TokenOf(HttpRequest request)
    {
        if (BearerOf(request.Headers.Authorization.ToString()) is { } header) return header;
        if (BearerOf(request.Query["authorization"].ToString()) is { } query) return query;
        return request.Query.TryGetValue("token", out StringValues token) && !StringValues.IsNullOrEmpty(token) ? token.ToString() : null;
    }

    private static string? BearerOf(string value) =>
        value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && value.Length > 7 ? value[7..].Trim() : null;
}

/// <summary>The outcome of a device sign-in.</summary>
public sealed record DeviceSignIn(DeviceSignInResult Result, ChildProfile? Child = null, string? DeviceId = null)
{
    public static readonly DeviceSignIn MissingCredentials = new(DeviceSignInResult.MissingCredentials);
    public static readonly DeviceSignIn Refused = new(DeviceSignInResult.Refused);
    public static readonly DeviceSignIn Throttled = new(DeviceSignInResult.Throttled);
    public static readonly DeviceSignIn Unavailable = new(DeviceSignInResult.Unavailable);
    public static DeviceSignIn Accepted(ChildProfile child, string deviceId) => new(DeviceSignInResult.Accepted, child, deviceId);
}

public enum DeviceSignInResult { Accepted, MissingCredentials, Refused, Throttled, Unavailable }
