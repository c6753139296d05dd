using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Lessons;
using Tutor.Gateway.Devices;
using Tutor.Contracts.Transcripts;
using Tutor.Gateway.Sessions;

namespace Tutor.Gateway.Families;

public static class FamiliesApi
{
    /// <summary>
    /// The parents' API: issue and revoke a child's device secrets (<c>/api/children/{user_id}/devices</c>), and the
    /// local sign-in of the embedded default (<c>/api/auth/local</c>), which is refused whenever Firebase is configured.
    /// </summary>
    public static IEndpointRouteBuilder MapFamiliesApi(this IEndpointRouteBuilder app)
    {
        var children = app.MapChildGroup();
        children.MapGet("/devices", ListDevicesAsync);
        children.MapPost("/devices", IssueDeviceAsync);
        children.MapDelete("/devices/{deviceId}", RevokeDeviceAsync);
        children.MapPatch("/devices/{deviceId}", RenameDeviceAsync);
        children.MapGet("/progress", ProgressAsync);

        app.MapPost("/api/auth/local", SignInLocallyAsync);
        app.MapPost("/api/auth/sign-out", SignOutAsync).RequireAuthorization();
        return app;
    }

    private static async Task<Ok<List<DeviceSummary>>> ListDevicesAsync(HttpContext context, DeviceStatusBoard status)
    {
        var child = context.OwnChild();
        var presence = await status.GetDevicesAsync(child.UserId, child.DeviceSecrets.Select(s => s.Id));
        return TypedResults.Ok(child.DeviceSecrets.Select(s => new DeviceSummary(s.Id, s.Name, s.Created, s.Revoked,
            s.Revoked ? DeviceStates.Offline : presence[s.Id].State, presence[s.Id].LastSeen)).ToList());
    }

    /// <summary>Names a device ("Bedroom", "Grandma's"): 1 to 40 characters.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RenameDeviceAsync(string deviceId, RenameDeviceRequest request, HttpContext context,
        ProfileStore profiles, CancellationToken cancellationToken)
    {
        var child = context.OwnChild();
        if (child.DeviceSecrets.All(s => s.Id != deviceId)) return NoSuchDevice();
        var name = request.Name?.Trim() ?? "";
        if (name.Length is < 1 or > 40) return TypedResults.Problem("A device's name is 1 to 40 characters.", statusCode: StatusCodes.Status400BadRequest);

        await profiles.UpdateDeviceSecretsAsync(child.UserId, secrets => [.. secrets.Select(s => s.Id == deviceId ? s with { Name = name } : s)], cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Created<IssuedDevice>> IssueDeviceAsync(HttpContext context, ProfileStore profiles, TimeProvider time,
        ILogger<FamiliesLogCategory> logger, CancellationToken cancellationToken)
    {
        var child = context.OwnChild();
        var (token, stored) = DeviceTokens.Issue(time);
        await profiles.UpdateDeviceSecretsAsync(child.UserId, secrets => [.. secrets, stored], cancellationToken);
        logger.DeviceIssued(stored.Id, child.UserId, ParentAccess.ParentIdOf(context.User));
        return TypedResults.Created($"/api/children/{child.UserId}/devices/{stored.Id}", new IssuedDevice(stored.Id, token));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeDeviceAsync(string deviceId, HttpContext context, ProfileStore profiles,
        DeviceRegistry devices, ILogger<FamiliesLogCategory> logger, CancellationToken cancellationToken)
    {
        var child = context.OwnChild();
        if (child.DeviceSecrets.All(s => s.Id != deviceId)) return NoSuchDevice();

        await profiles.UpdateDeviceSecretsAsync(child.UserId, secrets => secrets.Select(s => s.Id == deviceId ? s with { Revoked = true } : s).ToList(), cancellationToken);
        // Its secret no longer signs in; a connection it has open now is closed too, on whichever gateway holds it.
        await devices.EvictAsync(child.UserId, deviceId, DeviceErrorCodes.DeviceRevoked, cancellationToken);
        logger.DeviceRevoked(deviceId, child.UserId, ParentAccess.ParentIdOf(context.User));
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NoSuchDevice() => TypedResults.Problem("No such device.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>Where the child is in their lessons: the summary the parents' page shows.</summary>
    private static async Task<Ok<ProgressSummary>> ProgressAsync(HttpContext context, StackExchange.Redis.IConnectionMultiplexer redis,
        CancellationToken cancellationToken)
    {
        var child = context.OwnChild();
        var progress = await redis.GetDatabase().ReadChildProgressAsync(child.UserId, cancellationToken) ?? new ChildProgress();
        return TypedResults.Ok(new ProgressSummary(child.UserId, child.Name, progress.LessonId, progress.LessonTitle, progress.StepId,
            progress.StepNumber, progress.StepCount, progress.WordsMet, progress.WordsMastered, progress.CompletedLessons,
            progress.CorrectAnswers, progress.IncorrectAnswers, progress.Recent, progress.UpdatedAt == default ? null : progress.UpdatedAt));
    }

    private static async Task<Results<Ok<LocalSignInResponse>, ProblemHttpResult>> SignInLocallyAsync(LocalSignInRequest request, HttpContext context,
        IOptions<FirebaseOptions> firebase, LocalFamilyDirectory directory, LocalTokenIssuer issuer, SignInThrottle throttle, IOptions<FamiliesOptions> options,
        ILogger<FamiliesLogCategory> logger, CancellationToken cancellationToken)
    {
        if (firebase.Value.IsConfigured)
        {
            return TypedResults.Problem("Local sign-in is off: this Tutor signs parents in with Firebase Authentication.", statusCode: StatusCodes.Status403Forbidden);
        }

        // A passcode can be guessed, so the attempt is counted before it is checked (atomically, so parallel guesses
        // cannot slip past the limit together) and taken back when it was right.
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var account = $"parent:{request.ParentId}";
        if (!await throttle.TryCountAsync(address, account, cancellationToken))
        {
            context.Response.Headers.RetryAfter = ((int)options.Value.FailureWindow.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem("Too many refused attempts for this parent from this address; try again later.", statusCode: StatusCodes.Status429TooManyRequests);
        }

        // Stryker disable once Conditional : no parent has an empty id, so looking one up finds nobody either; this only spares the read
        var parent = string.IsNullOrEmpty(request.ParentId) ? null : await directory.FindParentAsync(request.ParentId, cancellationToken);
        if (!Passcodes.Verify(parent?.PasscodeHash, request.Passcode ?? "") || parent is null)
        {
            logger.LocalSignInRefused(request.ParentId, address);
            return TypedResults.Problem("Wrong parent id or passcode.", statusCode: StatusCodes.Status401Unauthorized);
        }

        await throttle.ForgiveAsync(address, account, cancellationToken);
        var (token, expires) = issuer.Issue(parent);
        return TypedResults.Ok(new LocalSignInResponse(token, expires));
    }

    /// <summary>Ends the presented token now, on every gateway, rather than when it expires.</summary>
    private static async Task<NoContent> SignOutAsync(ClaimsPrincipal parent, SignedOutTokens signedOut, CancellationToken cancellationToken)
    {
        if (SignedOutTokens.FingerprintOf(parent) is { } fingerprint && parent.FindFirst("exp")?.Value is { } exp
            && long.TryParse(exp, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            await signedOut.SignOutAsync(fingerprint, DateTimeOffset.FromUnixTimeSeconds(seconds), cancellationToken);
        }
        return TypedResults.NoContent();
    }


    public sealed record ProgressSummary(string UserId, string Name, string? LessonId, string? LessonTitle, string? StepId,
        int StepNumber, int StepCount, IReadOnlyList<string> WordsMet, IReadOnlyList<string> WordsMastered, IReadOnlyList<string> CompletedLessons,
        int CorrectAnswers, int IncorrectAnswers, IReadOnlyList<ConversationTurn> RecentTurns, DateTimeOffset? UpdatedAt);

    public sealed record LocalSignInRequest(string? ParentId, string? Passcode);
    public sealed record LocalSignInResponse(string AccessToken, DateTimeOffset ExpiresAt);
    public sealed record IssuedDevice(string DeviceId, string Token);
    public sealed record DeviceSummary(string DeviceId, string? Name, DateTimeOffset Created, bool Revoked, string State, DateTimeOffset? LastSeen);
    public sealed record RenameDeviceRequest(string? Name);
}
