using Tutor.Contracts;

namespace Tutor.Gateway.Devices;

public static class DeviceApi
{
    /// <summary>Maps <c>GET /ws/{user_id}</c>, the firmware's WebSocket (see docs/device-protocol.md).</summary>
    public static IEndpointRouteBuilder MapDeviceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ws/{userId?}", async (string? userId, HttpContext context, DeviceConnectionHandler handler) =>
        {
            if (string.IsNullOrEmpty(userId))
            {
                return Results.Problem("A user id is required: connect to /ws/{user_id}.", statusCode: StatusCodes.Status400BadRequest);
            }
            if (!UserIds.IsValid(userId))
            {
                return Results.Problem($"A user id is 1 to {UserIds.MaxLength} letters, digits, '-' or '_'.", statusCode: StatusCodes.Status400BadRequest);
            }
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return Results.Problem("This endpoint takes WebSocket connections only.", statusCode: StatusCodes.Status400BadRequest);
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await handler.HandleAsync(socket, userId, context.RequestAborted);
            return Results.Empty;
        })
        .WithName("DeviceSocket");

        return app;
    }
}
