using Microsoft.AspNetCore.Http.HttpResults;
using System.Net.WebSockets;
using Tutor.Contracts.Redis;
using Tutor.Contracts;
using Tutor.Contracts.Devices;
using Tutor.Gateway.Families;
using Tutor.Gateway.Sessions;

namespace Tutor.Gateway.Devices;

public static class DeviceApi
{
    /// <summary>The session a reconnecting device asks to resume: header <c>Session-Id</c>, or <c>?session_id=</c>.</summary>
    private static string? ResumedSessionOf(HttpRequest request)
    {
        var value = request.Headers["Session-Id"].ToString();
        if (value.Length == 0) value = request.Query["session_id"].ToString();
        // Stryker disable once Conditional : an empty session id is not a valid one and resumes nothing either
        return value.Length == 0 ? null : value;
    }

    /// <summary>Maps <c>GET /ws/{user_id}</c>, the firmware's WebSocket (see docs/device-protocol.md).</summary>
    public static IEndpointRouteBuilder MapDeviceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ws/{userId?}", async Task<Results<EmptyHttpResult, ProblemHttpResult>> (string? userId, HttpContext context, DeviceAuthenticator authenticator, SessionStore sessions,
            ILogger<DevicesLogCategory> logger) =>
        {
            if (string.IsNullOrEmpty(userId))
            {
                return TypedResults.Problem("A user id is required: connect to /ws/{user_id}.", statusCode: StatusCodes.Status400BadRequest);
            }
            if (!UserIds.IsValid(userId))
            {
                return TypedResults.Problem($"A user id is 1 to {UserIds.MaxLength} letters, digits, '-' or '_'.", statusCode: StatusCodes.Status400BadRequest);
            }
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return TypedResults.Problem("This endpoint takes WebSocket connections only.", statusCode: StatusCodes.Status400BadRequest);
            }

            var signIn = await authenticator.AuthenticateAsync(context, userId, context.RequestAborted);
            switch (signIn.Result)
            {
                case DeviceSignInResult.MissingCredentials:
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    return TypedResults.Problem("A device secret is required: Authorization: Bearer <token>, or ?authorization=Bearer+<token>, or ?token=.", statusCode: StatusCodes.Status401Unauthorized);
                case DeviceSignInResult.Refused:
                    // The same answer for an unknown user and a wrong or revoked secret: nothing to learn from it.
                    return TypedResults.Problem("This device may not connect as that user.", statusCode: StatusCodes.Status403Forbidden);
                case DeviceSignInResult.Throttled:
                    context.Response.Headers.RetryAfter = "60";
                    return TypedResults.Problem("Too many refused attempts for this user from this address; try again later.", statusCode: StatusCodes.Status429TooManyRequests);
                case DeviceSignInResult.Unavailable:
                    return TypedResults.Problem("The service is temporarily unavailable; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            // The session exists before the upgrade, so a Redis outage is a clear 503 rather than a socket that dies at once.
            DeviceSession session;
            try
            {
                session = await sessions.OpenAsync(signIn.Child!, AudioParams.Pcm16Mono16k, ResumedSessionOf(context.Request), context.RequestAborted);
            }
            catch (Exception ex) when (ex.IsRedisFailure())
            {
                // Stryker disable once Statement : log only
                logger.NoSession(ex, userId);
                return TypedResults.Problem("The service is temporarily unavailable; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            WebSocket socket;
            try
            {
                socket = await context.WebSockets.AcceptWebSocketAsync();
            }
            catch
            {
                // Stryker disable once Statement : an upgrade that fails leaves a record that expires by itself (Sessions:RecordLifetime); this only tidies it now
                await sessions.CloseAsync(session);
                throw;
            }

            using (socket)
            {
                await DeviceConnection.Create(context.RequestServices, [socket, session, signIn.DeviceId!]).RunAsync(context.RequestAborted);
            }
            return TypedResults.Empty;
        })
        .WithName("DeviceSocket");

        return app;
    }
}
