using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tutor.Gateway.Families;

namespace Tutor.Gateway.Pairing;

public static class PairingApi
{
    /// <summary>
    /// <c>GET /ws/pair</c>, where an unpaired device waits with a spoken code, and <c>POST /api/pairing</c>, where its
    /// child's parent enters the code: the device gets its secret over its waiting connection.
    /// </summary>
    public static IEndpointRouteBuilder MapPairingApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ws/pair", async Task<Results<EmptyHttpResult, ProblemHttpResult>> (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return TypedResults.Problem("This endpoint takes WebSocket connections only.", statusCode: StatusCodes.Status400BadRequest);
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            // Stryker disable once NullCoalescing : a TCP connection always has an address; only an in-memory test server has none
            var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            await PairingConnection.Create(context.RequestServices, [socket, address]).RunAsync(context.RequestAborted);
            return TypedResults.Empty;
        });

        app.MapPost("/api/pairing", ClaimAsync).RequireAuthorization();
        return app;
    }

    /// <summary>A parent enters the code a device speaks, for one of their children; the device gets its secret at once.</summary>
    private static async Task<Results<Created<PairedDevice>, ProblemHttpResult>> ClaimAsync(PairingRequest request, ClaimsPrincipal parent, ParentAccess access,
        ProfileStore profiles, PairingCodes codes, SignInThrottle throttle, TimeProvider time, IOptions<PairingOptions> options,
        ILogger<PairingLogCategory> logger, CancellationToken cancellationToken)
    {
        if (request.UserId is not { } userId || await access.ChildOfAsync(parent, userId, cancellationToken) is null) return ParentAccess.NotYourChild();
        var parentId = ParentAccess.ParentIdOf(parent)!;
        var code = request.Code?.Trim() ?? "";
        if (code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return TypedResults.Problem("A pairing code is the six digits the device says.", statusCode: StatusCodes.Status400BadRequest);
        }

        // A code is one in a million: each parent account gets a few tries per window, from wherever they come.
        const string address = "any-address";
        var account = $"pairing-claim:{parentId}";
        if (!await throttle.TryCountAsync(address, account, options.Value.MaxClaimAttempts, options.Value.CodeWindow, cancellationToken))
        {
            return TypedResults.Problem("Too many codes tried; wait a few minutes.", statusCode: StatusCodes.Status429TooManyRequests);
        }
        switch (await codes.ClaimAsync(code, userId, cancellationToken))
        {
            case ClaimResult.NoSuchCode:
                return TypedResults.Problem("No device is waiting with that code; it may have expired. Ask the device for a new one.",
                    statusCode: StatusCodes.Status404NotFound);
            case ClaimResult.AlreadyClaimed:
                return TypedResults.Problem("That code has already been used.", statusCode: StatusCodes.Status409Conflict);
        }

        var (token, stored) = DeviceTokens.Issue(time);
        stored = stored with { Name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim()[..Math.Min(40, request.Name.Trim().Length)] };
        await profiles.UpdateDeviceSecretsAsync(userId, secrets => [.. secrets, stored], cancellationToken);
        if (!await codes.DeliverAsync(code, token, cancellationToken))
        {
            // The device gave up meanwhile: the secret it will never receive is revoked at once.
            await profiles.UpdateDeviceSecretsAsync(userId, secrets => [.. secrets.Select(s => s.Id == stored.Id ? s with { Revoked = true } : s)], cancellationToken);
            return TypedResults.Problem("The device stopped waiting; ask it for a new code.", statusCode: StatusCodes.Status410Gone);
        }
        await throttle.ForgiveAsync(address, account, cancellationToken);
        logger.DevicePaired(stored.Id, userId, parentId);
        return TypedResults.Created($"/api/children/{userId}/devices/{stored.Id}", new PairedDevice(stored.Id, stored.Name));
    }

    public sealed record PairingRequest(string? Code, string? UserId, string? Name);
    public sealed record PairedDevice(string DeviceId, string? Name);
}
