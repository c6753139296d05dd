using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Tutor.Gateway.Pairing.Xiaozhi;

/// <summary>
/// xiaozhi-esp32's OTA endpoint, the only address such a device is given (README, "Using a xiaozhi device"): each boot it
/// posts its system report to <c>/xiaozhi/ota/</c> and learns the time, whether there is firmware, and either where its
/// WebSocket is (<c>websocket.url</c>, <c>websocket.token</c>) or an activation code to show (<c>activation</c>), after which
/// it polls <c>/xiaozhi/ota/activate</c> (202 waiting, 200 done) and checks in again. Shapes as 78/xiaozhi-esp32's
/// <c>main/ota.cc</c> reads them. Open to any origin (CORS): xiaozhi's browser clients call it from their own pages.
/// </summary>
public static class XiaozhiOtaApi
{
    public const string Path = "/xiaozhi/ota";
    public const string CorsPolicy = "xiaozhi-ota";

    /// <summary>The headers xiaozhi's firmware and browser clients send, allowed across origins.</summary>
    public static readonly string[] DeviceHeaders = ["Content-Type", "Device-Id", "Client-Id", "Activation-Version", "Serial-Number", "Accept-Language"];

    public static IEndpointRouteBuilder MapXiaozhiOtaApi(this IEndpointRouteBuilder app)
    {
        var ota = app.MapGroup(Path).RequireCors(CorsPolicy);
        ota.MapPost("/", CheckInAsync);
        ota.MapGet("/", () => TypedResults.Text(
            "Tutor's xiaozhi OTA endpoint. A device POSTs its system report here with Device-Id and Client-Id headers (README, \"Using a xiaozhi device\").\n"));
        ota.MapPost("/activate", ActivateAsync);
        return app;
    }

    private static async Task<Results<Ok<OtaAnswer>, ProblemHttpResult>> CheckInAsync(HttpContext context, XiaozhiActivation activation,
        IOptions<XiaozhiOptions> options, TimeProvider time, ILogger<PairingLogCategory> logger, CancellationToken cancellationToken)
    {
        var (device, error) = XiaozhiDevice.From(context.Request);
        if (device is null) return Refuse(logger, error!, StatusCodes.Status400BadRequest);
        var (report, reportError, status) = await ReadJsonAsync<OtaReport>(context, options.Value.MaxReportBytes, cancellationToken);
        if (reportError is not null) return Refuse(logger, reportError, status);

        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var checkIn = await activation.CheckInAsync(device, address, cancellationToken);
        var settings = options.Value;
        var answer = new OtaAnswer(
            new OtaServerTime(time.GetUtcNow().ToUnixTimeMilliseconds(), settings.TimezoneOffset),
            string.IsNullOrEmpty(settings.FirmwareVersion)
                ? new OtaFirmware(report?.Application?.Version ?? "0.0.0", "")
                : new OtaFirmware(settings.FirmwareVersion, settings.FirmwareUrl!),
            null, null);
        switch (checkIn.Result)
        {
            case CheckInResult.Bound:
                return TypedResults.Ok(answer with { Websocket = new OtaWebSocket(WebSocketUrl(context.Request, settings, checkIn.UserId!), checkIn.Token) });
            case CheckInResult.Activating:
                var page = string.IsNullOrEmpty(settings.ParentsPageUrl) ? $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/" : settings.ParentsPageUrl;
                return TypedResults.Ok(answer with
                {
                    Activation = new OtaActivation(checkIn.Code!, $"{page}\n{checkIn.Code}", checkIn.Challenge!, (int)checkIn.ExpiresIn.TotalMilliseconds),
                });
            default:
                context.Response.Headers.RetryAfter = "60";
                return Refuse(logger, "Too many activation codes for this address; try again later.", StatusCodes.Status429TooManyRequests);
        }
    }

    private static async Task<Results<Ok<ActivationAnswer>, Accepted<ActivationAnswer>, ProblemHttpResult>> ActivateAsync(HttpContext context,
        XiaozhiActivation activation, IOptions<XiaozhiOptions> options, ILogger<PairingLogCategory> logger, CancellationToken cancellationToken)
    {
        var (device, error) = XiaozhiDevice.From(context.Request);
        if (device is null) return Refuse(logger, error!, StatusCodes.Status400BadRequest);
        var (payload, payloadError, status) = await ReadJsonAsync<ActivationPayload>(context, options.Value.MaxReportBytes, cancellationToken);
        if (payloadError is not null) return Refuse(logger, payloadError, status);

        return await activation.ActivateAsync(device, string.IsNullOrEmpty(payload?.Challenge) ? null : payload.Challenge, cancellationToken) switch
        {
            ActivationResult.Activated => TypedResults.Ok(new ActivationAnswer("Activated.")),
            ActivationResult.Waiting => TypedResults.Accepted((string?)null, new ActivationAnswer("Waiting for a parent to enter the code.")),
            ActivationResult.WrongChallenge => Refuse(logger, "The challenge is not the one this device was given.", StatusCodes.Status400BadRequest),
            ActivationResult.Expired => Refuse(logger, "The code expired before a parent entered it; check in again for a new one.", StatusCodes.Status410Gone),
            _ => Refuse(logger, "No activation is under way for this device; check in at /xiaozhi/ota/ first.", StatusCodes.Status404NotFound),
        };
    }

    private static ProblemHttpResult Refuse(ILogger logger, string reason, int status)
    {
        logger.XiaozhiRefused(reason);
        return TypedResults.Problem(reason, statusCode: status);
    }

    /// <summary><c>ws(s)://host/ws/{user_id}</c>: where the bound device connects, with its secret as xiaozhi's bearer token.</summary>
    private static string WebSocketUrl(HttpRequest request, XiaozhiOptions options, string userId)
    {
        var root = string.IsNullOrEmpty(options.WebSocketUrl)
            ? $"{(request.IsHttps ? "wss" : "ws")}://{request.Host}{request.PathBase}"
            : options.WebSocketUrl.TrimEnd('/');
        return $"{root}/ws/{Uri.EscapeDataString(userId)}";
    }

    /// <summary>Reads a JSON body of at most <paramref name="maxBytes"/>; an empty body is no body.</summary>
    private static async Task<(T? Value, string? Error, int Status)> ReadJsonAsync<T>(HttpContext context, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        // A declared length over the limit is refused unread (the server drains it); an undeclared one is cut at the limit.
        if (context.Request.ContentLength > maxBytes) return (null, $"The body may be at most {maxBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBytes;
        try
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, cancellationToken);
            if (body.Length == 0) return (null, null, 0);
            if (body.Length > maxBytes) return (null, $"The body may be at most {maxBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
            var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            return (JsonSerializer.Deserialize<T>(body.GetBuffer().AsSpan(0, (int)body.Length), options), null, 0);
        }
        catch (BadHttpRequestException ex)
        {
            return (null, $"The body may be at most {maxBytes} bytes.", ex.StatusCode);
        }
        catch (JsonException)
        {
            return (null, "The body must be a JSON object (xiaozhi's system report).", StatusCodes.Status400BadRequest);
        }
    }
}

/// <summary>The part of xiaozhi's system report Tutor reads (the rest — board, chip, partitions — is accepted and not kept).</summary>
public sealed record OtaReport(OtaApplication? Application);

public sealed record OtaApplication(string? Version);

/// <summary>What a check-in gets: every field as 78/xiaozhi-esp32's <c>Ota::CheckVersion</c> reads it.</summary>
public sealed record OtaAnswer(OtaServerTime ServerTime, OtaFirmware Firmware, OtaWebSocket? Websocket, OtaActivation? Activation);

/// <summary>Unix milliseconds, and minutes east of UTC for the device's clock.</summary>
public sealed record OtaServerTime(long Timestamp, int TimezoneOffset);

/// <summary>The firmware on offer: the device's own version (nothing to install) unless one is configured.</summary>
public sealed record OtaFirmware(string Version, string Url);

/// <summary>Where the bound device connects; <see cref="Token"/> (its device secret) only in the delivery window after activation.</summary>
public sealed record OtaWebSocket(string Url, string? Token);

/// <summary>The code to show and speak, the message shown with it, the challenge to echo when polling, and the code's lifetime.</summary>
public sealed record OtaActivation(string Code, string Message, string Challenge, int TimeoutMs);

/// <summary>The activation poll's body: <c>{}</c> (Activation-Version 1) or the serial number, challenge and HMAC (version 2).</summary>
public sealed record ActivationPayload(string? Challenge, string? SerialNumber, string? Algorithm, string? Hmac);

public sealed record ActivationAnswer(string Message);
