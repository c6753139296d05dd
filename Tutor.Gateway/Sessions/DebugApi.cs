using StackExchange.Redis;
using Tutor.Contracts.Redis;
using Tutor.Gateway.Families;

namespace Tutor.Gateway.Sessions;

public static class DebugApi
{
    /// <summary>
    /// The developers' and operators' view (the <c>admin</c> claim): every live session across all gateways, and the
    /// latest turns with their timings and the worker that took each.
    /// </summary>
    public static IEndpointRouteBuilder MapDebugApi(this IEndpointRouteBuilder app)
    {
        var debug = app.MapGroup("/api/debug").RequireAuthorization(ParentAccess.DeveloperPolicy);
        debug.MapGet("/sessions", async (IConnectionMultiplexer redis, CancellationToken cancellationToken) =>
        {
            var sessions = new List<Dictionary<string, string>>();
            foreach (var server in redis.GetServers())
            {
                await foreach (var key in server.KeysAsync(pattern: "session:*").WithCancellation(cancellationToken))
                {
                    var fields = await redis.GetDatabase().HashGetAsync(key, [SessionFields.UserId, SessionFields.Gateway, SessionFields.ConnectedAt]);
                    sessions.Add(new()
                    {
                        ["session_id"] = key.ToString()["session:".Length..],
                        ["user_id"] = fields[0].ToString(),
                        ["gateway"] = fields[1].ToString(),
                        ["connected_at"] = fields[2].ToString(),
                    });
                }
            }
            return Results.Ok(sessions);
        });
        debug.MapGet("/turns", async (IConnectionMultiplexer redis, CancellationToken cancellationToken) =>
        {
            var db = redis.GetDatabase();
            var turns = new List<Dictionary<string, string>>();
            foreach (var turnId in await db.ListRangeAsync(RedisKeys.RecentTurns, 0, 99).WaitAsync(cancellationToken))
            {
                var timing = await db.HashGetAllAsync(RedisKeys.TurnTiming(turnId!)).WaitAsync(cancellationToken);
                if (timing.Length == 0) continue;
                var turn = timing.ToDictionary(f => f.Name.ToString(), f => f.Value.ToString());
                turn["turn_id"] = turnId!;
                turns.Add(turn);
            }
            return Results.Ok(turns);
        });
        return app;
    }
}
