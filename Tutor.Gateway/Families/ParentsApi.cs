using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Transcripts;
using Tutor.Gateway.Sessions;

namespace Tutor.Gateway.Families;

public static class ParentsApi
{
    private const int PageSize = 500;

    /// <summary>
    /// What the parents' page reads: who is signed in, their children and what each device is doing, and a child's
    /// conversation history (which the parent may delete). <c>/api/auth/config</c> tells the page how to sign in.
    /// </summary>
    public static IEndpointRouteBuilder MapParentsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/auth/config", (IOptions<FirebaseOptions> firebase) =>
            TypedResults.Ok(new SignInConfig(firebase.Value.IsConfigured ? "firebase" : "local", firebase.Value.ProjectId)));

        var me = app.MapGroup("/api/me").RequireAuthorization();
        me.MapGet("", (ClaimsPrincipal parent) =>
            TypedResults.Ok(new SignedInParent(ParentAccess.ParentIdOf(parent), parent.FindFirst("name")?.Value, ParentAccess.IsAdmin(parent))));
        me.MapGet("/children", async (ClaimsPrincipal parent, IProfileSource source, DeviceStatusBoard status, CancellationToken cancellationToken) =>
        {
            var children = await source.ChildrenOfAsync(ParentAccess.ParentIdOf(parent) ?? "", cancellationToken);
            var listed = new List<ListedChild>();
            foreach (var child in children)
            {
                listed.Add(new ListedChild(child.UserId, child.Name, child.Age, child.TargetLanguage, await status.GetAsync(child.UserId)));
            }
            return TypedResults.Ok(listed);
        });

        var child = app.MapChildGroup();
        child.MapGet("/history", HistoryAsync);
        child.MapGet("/facts", FactsAsync);
        child.MapDelete("/history", DeleteHistoryAsync);
        return app;
    }

    /// <summary>The child's lines after <paramref name="after"/> (a line id), oldest first: what a reconnecting page missed.</summary>
    private static async Task<Results<Ok<List<TranscriptLine>>, ProblemHttpResult>> HistoryAsync(string userId, string? after,
        IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(after) && !StreamIds.TryParse(after, out _))
        {
            return TypedResults.Problem("'after' must be a line id (as in a line's 'id', e.g. 1764547200000-0).", statusCode: StatusCodes.Status400BadRequest);
        }
        var start = string.IsNullOrEmpty(after) ? "-" : $"({after}";
        var entries = await redis.GetDatabase().StreamRangeAsync(RedisKeys.History(userId), start, "+", PageSize).WaitAsync(cancellationToken);
        return TypedResults.Ok(entries.Select(e => JsonSerializer.Deserialize<TranscriptLine>((string)e["line"]!, TutorJson.Options)! with { Id = e.Id.ToString() }).ToList());
    }

    /// <summary>What each turn of the last <paramref name="days"/> days (1–90, default 14) did, oldest first: what the progress pictures are drawn from.</summary>
    private static async Task<Results<Ok<List<TurnFact>>, ProblemHttpResult>> FactsAsync(string userId, int? days, IConnectionMultiplexer redis,
        CancellationToken cancellationToken)
    {
        if (days is < 1 or > 90) return TypedResults.Problem("'days' is 1 to 90.", statusCode: StatusCodes.Status400BadRequest);
        var since = (DateTimeOffset.UtcNow - TimeSpan.FromDays(days ?? 14)).ToUnixTimeMilliseconds();
        var entries = await redis.GetDatabase().StreamRangeAsync(RedisKeys.TurnFacts(userId), $"{since}-0", "+", 5000).WaitAsync(cancellationToken);
        return TypedResults.Ok(entries.Select(e => TutorJson.TryDeserialize<TurnFact>(e["fact"])).OfType<TurnFact>().ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteHistoryAsync(string userId, ClaimsPrincipal parent, HistoryEraser eraser,
        ILogger<FamiliesLogCategory> logger, CancellationToken cancellationToken)
    {
        if (!await eraser.EraseAsync(userId, cancellationToken))
        {
            return TypedResults.Problem("The child is in the middle of a long turn; try again in a moment.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        logger.HistoryDeleted(userId, ParentAccess.ParentIdOf(parent));
        return TypedResults.NoContent();
    }

    /// <summary>How the page signs parents in: <c>firebase</c> (with its project) or <c>local</c>.</summary>
    public sealed record SignInConfig(string Mode, string? ProjectId);

    public sealed record SignedInParent(string? ParentId, string? Name, bool Admin);

    /// <summary>A child on the parent's page, with what the child's device is doing now.</summary>
    public sealed record ListedChild(string UserId, string Name, int? Age, string? TargetLanguage, string Device);
}
