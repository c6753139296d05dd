using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Families;
using Tutor.Gateway.Devices;

namespace Tutor.Gateway.Families;

public static class ChildrenApi
{
    private static readonly string[] Levels = ["beginner", "intermediate", "advanced"];

    /// <summary>
    /// Parents add, edit and delete their children from the page: written to the profile source in use (the local
    /// families directory or Firestore) and to the cache at once. Deleting a child deletes their progress and history.
    /// </summary>
    public static IEndpointRouteBuilder MapChildrenApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/me/children", AddAsync).RequireAuthorization();
        var child = app.MapChildGroup();
        child.MapPut("", EditAsync);
        child.MapDelete("", DeleteAsync);
        return app;
    }

    private static async Task<Results<Created<ChildSummary>, ProblemHttpResult>> AddAsync(ChildRequest request, ClaimsPrincipal parent,
        ProfileStore profiles, ILogger<FamiliesLogCategory> logger, CancellationToken cancellationToken)
    {
        if (ParentAccess.ParentIdOf(parent) is not { } parentId) return ParentAccess.NotYourChild();
        if (Invalid(request) is { } problem) return problem;

        var userId = $"child-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5))}";
        var saved = await profiles.SaveChildAsync(ToProfile(userId, request, [parentId]), create: true, cancellationToken);
        logger.ChildAdded(userId, parentId);
        return TypedResults.Created($"/api/children/{userId}", ChildSummary.Of(saved));
    }

    private static async Task<Results<Ok<ChildSummary>, ProblemHttpResult>> EditAsync(ChildRequest request, HttpContext context, ProfileStore profiles,
        CancellationToken cancellationToken)
    {
        var child = context.OwnChild();
        if (Invalid(request) is { } problem) return problem;

        var saved = await profiles.SaveChildAsync(ToProfile(child.UserId, request, child.Parents) with { DeviceSecrets = child.DeviceSecrets }, create: false,
            cancellationToken);
        return TypedResults.Ok(ChildSummary.Of(saved));
    }

    /// <summary>The child's devices are disconnected, everything Tutor keeps of them is deleted, and then the profile.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(HttpContext context, ProfileStore profiles, HistoryEraser eraser,
        DeviceRegistry devices, ILogger<FamiliesLogCategory> logger, CancellationToken cancellationToken)
    {
        var child = context.OwnChild();
        var userId = child.UserId;

        if (!await eraser.EraseChildAsync(userId, cancellationToken))
        {
            return TypedResults.Problem("The child is in the middle of a long turn; try again in a moment.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        await profiles.DeleteChildAsync(userId, cancellationToken);
        foreach (var secret in child.DeviceSecrets)
        {
            await devices.EvictAsync(userId, secret.Id, DeviceErrorCodes.DeviceRevoked, cancellationToken);
        }
        logger.ChildDeleted(userId, ParentAccess.ParentIdOf(context.User));
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult? Invalid(ChildRequest request)
    {
        string? error = null;
        if (request.Name?.Trim() is not { Length: >= 1 and <= 40 }) error = "A name is 1 to 40 characters.";
        else if (request.Age is not (null or (>= 2 and <= 16))) error = "An age is 2 to 16.";
        else if (!IsLanguage(request.NativeLanguage) || !IsLanguage(request.TargetLanguage)) error = "Languages are two-letter codes (ISO 639-1), e.g. es, en.";
        else if (request.Level is not null && !Levels.Contains(request.Level)) error = $"A level is one of {string.Join(", ", Levels)}.";
        return error is null ? null : TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest);
    }

    private static bool IsLanguage(string? code) => code is null || code.Length == 2 && code.All(char.IsAsciiLetterLower);

    private static ChildProfile ToProfile(string userId, ChildRequest request, IReadOnlyList<string> parents) =>
        new(userId, request.Name!.Trim(), request.Age, request.NativeLanguage, request.TargetLanguage, request.Level ?? Levels[0], parents, []);

    public sealed record ChildRequest(string? Name, int? Age, string? NativeLanguage, string? TargetLanguage, string? Level);

    public sealed record ChildSummary(string UserId, string Name, int? Age, string? NativeLanguage, string? TargetLanguage, string? Level)
    {
        public static ChildSummary Of(ChildProfile child) => new(child.UserId, child.Name, child.Age, child.NativeLanguage, child.TargetLanguage, child.Level);
    }
}
