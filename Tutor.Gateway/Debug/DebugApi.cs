using StackExchange.Redis;
using Tutor.Contracts.Redis;
using Tutor.Gateway.Families;
using Tutor.Gateway.Sessions;

namespace Tutor.Gateway.Debug;

public static class DebugApi
{
    private const int MaxSessionsListed = 1000;

    /// <summary>
    /// The developers' and operators' view (the <c>admin</c> claim): every live session across all gateways, and the
    /// latest turns with their timings and the worker that took each.
    /// </summary>
    public static IEndpointRouteBuilder MapDebugApi(this IEndpointRouteBuilder app)
    {
        var debug = app.MapGroup("/api/debug").RequireAuthorization(ParentAccess.DeveloperPolicy);
        debug.MapGet("/sessions", async (SessionStore store, IConnectionMultiplexer redis, CancellationToken cancellationToken) =>
        {
            // From the index of open sessions, not a scan of the keyspace: the cost follows the sessions, not all of Redis.
            var db = redis.GetDatabase();
            var ids = await store.ListOpenAsync(MaxSessionsListed, cancellationToken);
            // Pipelined: one round trip's wait for all of them.
            var records = await Task.WhenAll(ids.Select(id =>
                db.HashGetAsync(RedisKeys.Session(id), [SessionFields.UserId, SessionFields.Gateway, SessionFields.ConnectedAt]))).WaitAsync(cancellationToken);
            var sessions = new List<OpenSession>();
            foreach (var (sessionId, fields) in ids.Zip(records))
            {
                if (fields[0].IsNullOrEmpty) continue; // closed or expired meanwhile
                sessions.Add(new OpenSession(sessionId, fields[0].ToString(), fields[1].ToString(), fields[2].ToString()));
            }
            return TypedResults.Ok(sessions);
        });
        debug.MapGet("/turns", async (IConnectionMultiplexer redis, CancellationToken cancellationToken) =>
        {
            var db = redis.GetDatabase();
            // A turn's timing fields are whatever its stages marked (TurnTimingFields), so a turn is a field → value map.
            var turns = new List<Dictionary<string, string>>();
            foreach (var turnId in await db.ListRangeAsync(RedisKeys.RecentTurns, 0, 99).WaitAsync(cancellationToken))
            {
                var timing = await db.HashGetAllAsync(RedisKeys.TurnTiming(turnId!)).WaitAsync(cancellationToken);
                if (timing.Length == 0) continue;
                var turn = timing.ToDictionary(f => f.Name.ToString(), f => f.Value.ToString());
                turn["turn_id"] = turnId!;
                turns.Add(turn);
            }
            return TypedResults.Ok(turns);
        });
        return app;
    }

    /// <summary>A live session: whose, on which gateway, since when (Unix ms, as recorded).</summary>
    public sealed record OpenSession(string SessionId, string UserId, string Gateway, string ConnectedAt);
}
