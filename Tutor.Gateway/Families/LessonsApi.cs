using Microsoft.AspNetCore.Http.HttpResults;
using StackExchange.Redis;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Families;

public static class LessonsApi
{
    /// <summary>
    /// The lessons a parent can pick from for a child (from the catalog the workers publish), which one the child is in,
    /// which are done, and "start this lesson next": the worker begins it on the child's next turn.
    /// </summary>
    public static IEndpointRouteBuilder MapLessonsApi(this IEndpointRouteBuilder app)
    {
        var child = app.MapChildGroup();
        child.MapGet("/lessons", ListAsync);
        child.MapPut("/lessons/next", ChooseAsync);
        return app;
    }

    private static async Task<Ok<List<ChildLesson>>> ListAsync(HttpContext context, IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        var child = context.OwnChild();
        var userId = child.UserId;
        var db = redis.GetDatabase();
        var catalog = await CatalogAsync(db, cancellationToken);
        var progress = await db.ReadChildProgressAsync(userId, cancellationToken) ?? new ChildProgress();
        string? chosen = await db.StringGetAsync(RedisKeys.ChosenLesson(userId)).WaitAsync(cancellationToken);

        // The lessons in the language the child learns come first, those explained in the child's own language first of all.
        return TypedResults.Ok(catalog
            .OrderByDescending(l => Same(l.TargetLanguage, child.TargetLanguage))
            .ThenByDescending(l => Same(l.InstructionLanguage, child.NativeLanguage))
            .ThenBy(l => l.Title, StringComparer.Ordinal)
            .Select(l => new ChildLesson(l.Id, l.Title, l.TargetLanguage, l.InstructionLanguage, l.Level, l.Steps, l.Vocabulary,
                Fits: Same(l.TargetLanguage, child.TargetLanguage), Current: l.Id == progress.LessonId,
                Completed: progress.CompletedLessons.Contains(l.Id), ChosenNext: l.Id == chosen))
            .ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChooseAsync(string userId, ChooseLessonRequest request, IConnectionMultiplexer redis,
        CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        if (request.LessonId is not { } lessonId || !await db.HashExistsAsync(RedisKeys.LessonCatalog, lessonId).WaitAsync(cancellationToken))
        {
            return TypedResults.Problem("No such lesson.", statusCode: StatusCodes.Status404NotFound);
        }
        await db.StringSetAsync(RedisKeys.ChosenLesson(userId), lessonId, TimeSpan.FromDays(30)).WaitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IReadOnlyList<LessonSummary>> CatalogAsync(IDatabase db, CancellationToken cancellationToken) =>
        [.. (await db.HashValuesAsync(RedisKeys.LessonCatalog).WaitAsync(cancellationToken))
            .Select(v => TutorJson.TryDeserialize<LessonSummary>(v)).OfType<LessonSummary>()];

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    public sealed record ChooseLessonRequest(string? LessonId);

    public sealed record ChildLesson(string Id, string Title, string TargetLanguage, string InstructionLanguage, string Level, int Steps,
        IReadOnlyList<string> Vocabulary, bool Fits, bool Current, bool Completed, bool ChosenNext);
}
