using System.Security.Claims;
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
            Results.Ok(new { mode = firebase.Value.IsConfigured ? "firebase" : "local", project_id = firebase.Value.ProjectId }));

        var me = app.MapGroup("/api/me").RequireAuthorization();
        me.MapGet("", (ClaimsPrincipal parent) =>
            Results.Ok(new { parent_id = ParentAccess.ParentIdOf(parent), name = parent.FindFirst("name")?.Value, admin = ParentAccess.IsAdmin(parent) }));
        me.MapGet("/children", async (ClaimsPrincipal parent, IProfileSource source, DeviceStatusBoard status, CancellationToken cancellationToken) =>
        {
            var children = await source.ChildrenOfAsync(ParentAccess.ParentIdOf(parent) ?? "", cancellationToken);
            var listed = new List<object>();
            foreach (var child in children)
            {
                listed.Add(new { user_id = child.UserId, name = child.Name, age = child.Age, target_language = child.TargetLanguage, device = await status.GetAsync(child.UserId) });
            }
            return Results.Ok(listed);
        });

        var child = app.MapGroup("/api/children/{userId}").RequireAuthorization();
        child.MapGet("/history", HistoryAsync);
        child.MapGet("/facts", FactsAsync);
        child.MapDelete("/history", DeleteHistoryAsync);
        return app;
    }

    /// <summary>The child's lines after <paramref name="after"/> (a line id), oldest first: what a reconnecting page missed.</summary>
    private static async Task<IResult> HistoryAsync(string userId, string? after, ClaimsPrincipal parent, ParentAccess access,
        IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        if (!await access.MayFollowAsync(parent, userId, cancellationToken)) return ParentAccess.NotYourChild();
        if (!string.IsNullOrEmpty(after) && !StreamIds.TryParse(after, out _))
        {
            return Results.Problem("'after' must be a line id (as in a line's 'id', e.g. 1764547200000-0).", statusCode: StatusCodes.Status400BadRequest);
        }
        var start = string.IsNullOrEmpty(after) ? "-" : $"({after}";
        var entries = await redis.GetDatabase().StreamRangeAsync(RedisKeys.History(userId), start, "+", PageSize).WaitAsync(cancellationToken);
        return Results.Ok(entries.Select(e => JsonSerializer.Deserialize<TranscriptLine>((string)e["line"]!, TutorJson.Options)! with { Id = e.Id.ToString() }));
    }

    /// <summary>What each turn of the last <paramref name="days"/> days (1–90, default 14) did, oldest first: what the progress pictures are drawn from.</summary>
    private static async Task<IResult> FactsAsync(string userId, int? days, ClaimsPrincipal parent, ParentAccess access, IConnectionMultiplexer redis,
        CancellationToken cancellationToken)
    {
        if (!await access.MayFollowAsync(parent, userId, cancellationToken)) return ParentAccess.NotYourChild();
        if (days is < 1 or > 90) return Results.Problem("'days' is 1 to 90.", statusCode: StatusCodes.Status400BadRequest);
        var since = (DateTimeOffset.UtcNow - TimeSpan.FromDays(days ?? 14)).ToUnixTimeMilliseconds();
        var entries = await redis.GetDatabase().StreamRangeAsync(RedisKeys.TurnFacts(userId), $"{since}-0", "+", 5000).WaitAsync(cancellationToken);
        return Results.Ok(entries.Select(e => TutorJson.TryDeserialize<TurnFact>(e["fact"])).OfType<TurnFact>());
    }

    private static async Task<IResult> DeleteHistoryAsync(string userId, ClaimsPrincipal parent, ParentAccess access, HistoryEraser eraser,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!await access.MayFollowAsync(parent, userId, cancellationToken)) return ParentAccess.NotYourChild();
        if (!await eraser.EraseAsync(userId, cancellationToken))
        {
            return Results.Problem("The child is in the middle of a long turn; try again in a moment.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        loggers.CreateLogger(typeof(ParentsApi)).HistoryDeleted(userId, ParentAccess.ParentIdOf(parent));
        return Results.NoContent();
    }

}
