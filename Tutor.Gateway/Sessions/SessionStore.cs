using Microsoft.Extensions.Options;
using StackExchange.Redis;
using System.Text.Json;
using Tutor.Contracts;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Families;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Sessions;

/// <summary>The Redis record of each connected session (<c>session:{session_id}</c>), which workers read to know whose turn it is.</summary>
public sealed class SessionStore(IConnectionMultiplexer redis, IOptions<SessionRecordOptions> options, ILogger<SessionStore> logger)
{
    private readonly string _gateway = NodeIds.Process;

    private TaskCompletionSource _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Tells every keep-alive loop when Redis is reachable again (called once, when the store is made).</summary>
    public void WatchConnection()
    {
        redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType != ConnectionType.Interactive) return;
            logger.RedisBack();
            Interlocked.Exchange(ref _restored, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        };
    }

    /// <summary>How often a connected session's record is refreshed.</summary>
    public TimeSpan RefreshInterval => options.Value.RefreshInterval;

    /// <summary>How long a turn may go without a word from the workers (<see cref="SessionRecordOptions.TurnDeadline"/>).</summary>
    public TimeSpan TurnDeadline => options.Value.TurnDeadline;

    /// <param name="resume">
    /// The session the device had before its connection was lost (a gateway restarting, a network drop): when its record
    /// is still there and is the same child's, the new connection takes it over — replies still being made for it arrive
    /// here, from the last one the device had.
    /// </param>
    public async Task<DeviceSession> OpenAsync(ChildProfile child, AudioParams uplink, string? resume, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            // Fail at once rather than after the client's command timeouts: the device will retry.
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected.");
        }

        var session = new DeviceSession(Guid.NewGuid().ToString("N"), child.UserId, uplink, child with { DeviceSecrets = [] });
        if (resume is not null && UserIds.IsValid(resume))
        {
            var earlier = await redis.GetDatabase().HashGetAsync(RedisKeys.Session(resume), [SessionFields.UserId, SessionFields.Delivered])
                .WaitAsync(cancellationToken);
            if (earlier[0] == child.UserId)
            {
                session = session with { SessionId = resume, Delivered = earlier[1].IsNullOrEmpty ? "0-0" : earlier[1].ToString(), Resumed = true };
                logger.Resumed(resume, session.Delivered);
            }
        }
        await WriteAsync(session, cancellationToken);
        return session;
    }

    /// <summary>Writes the whole record with a fresh expiry: when the session opens, and again if it has gone.</summary>
    private async Task WriteAsync(DeviceSession session, CancellationToken cancellationToken)
    {
        var key = RedisKeys.Session(session.SessionId);
        var transaction = redis.GetDatabase().CreateTransaction();
        _ = transaction.HashSetAsync(key,
        [
            new(SessionFields.UserId, session.UserId),
            new(SessionFields.Gateway, _gateway),
            new(SessionFields.ConnectedAt, session.ConnectedAt.ToUnixTimeMilliseconds()),
            new(SessionFields.SampleRate, session.Uplink.SampleRate),
            new(SessionFields.Channels, session.Uplink.Channels),
            // What the tutor needs to know of the child; the device secrets stay out of it.
            new(SessionFields.Profile, JsonSerializer.Serialize(session.Child, TutorJson.Options)),
            new(SessionFields.Delivered, session.Delivered),
        ]);
        _ = transaction.KeyExpireAsync(key, options.Value.RecordLifetime);
        _ = transaction.SortedSetAddAsync(RedisKeys.OpenSessions, session.SessionId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await transaction.ExecuteAsync().WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Pushes the record's expiry forward while the device stays connected. A record that has gone — Redis restarted
    /// without its data — is written again from what the connection knows, so workers still find the session; a Redis
    /// failure is counted and tried again next time, never the end of the keep-alive.
    /// </summary>
    public async Task KeepAliveAsync(DeviceSession session, CancellationToken cancellationToken)
    {
        while (true)
        {
            // A Redis that comes back may have come back empty: every record is looked at at once, not at the next tick.
            await Task.WhenAny(Task.Delay(options.Value.RefreshInterval, cancellationToken), Volatile.Read(ref _restored).Task);
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (!await redis.GetDatabase().KeyExpireAsync(RedisKeys.Session(session.SessionId), options.Value.RecordLifetime)
                        .WaitAsync(cancellationToken))
                {
                    logger.RecordRewritten(session.SessionId);
                    await WriteAsync(session, cancellationToken);
                }
                else
                {
                    await redis.GetDatabase().SortedSetAddAsync(RedisKeys.OpenSessions, session.SessionId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
                        .WaitAsync(cancellationToken);
                }
            }
            catch (Exception ex) when (ex.IsRedisFailure())
            {
                RedisFailures.Record(logger, ex, "keeping a session's record alive");
            }
        }
    }

    /// <summary>Remembers the last reply-stream entry relayed to the device (fire-and-forget: at worst one is relayed again, and dropped as a repeat).</summary>
    public void MarkDelivered(DeviceSession session, string entryId) =>
        redis.GetDatabase().ScriptEvaluate(MarkIfPresent, [RedisKeys.Session(session.SessionId)], [SessionFields.Delivered, entryId],
            CommandFlags.FireAndForget);

    // Only on a record that exists: one that expired must not come back without an expiry.
    private const string MarkIfPresent = "if redis.call('exists', KEYS[1]) == 1 then redis.call('hset', KEYS[1], ARGV[1], ARGV[2]) end return 0";

    /// <summary>The session is over: its record and its reply stream go.</summary>
    public Task CloseAsync(DeviceSession session)
    {
        var batch = redis.GetDatabase().CreateBatch();
        var deleted = batch.KeyDeleteAsync([RedisKeys.Session(session.SessionId), RedisKeys.ReplyStream(session.SessionId)]);
        var unlisted = batch.SortedSetRemoveAsync(RedisKeys.OpenSessions, session.SessionId);
        batch.Execute();
        return Task.WhenAll(deleted, unlisted);
    }

    /// <summary>The sessions refreshed within a record's lifetime, newest first (at most <paramref name="limit"/>); stale entries are trimmed.</summary>
    public async Task<IReadOnlyList<string>> ListOpenAsync(int limit, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var oldest = (DateTimeOffset.UtcNow - options.Value.RecordLifetime).ToUnixTimeMilliseconds();
        await db.SortedSetRemoveRangeByScoreAsync(RedisKeys.OpenSessions, double.NegativeInfinity, oldest, Exclude.Stop).WaitAsync(cancellationToken);
        var ids = await db.SortedSetRangeByScoreAsync(RedisKeys.OpenSessions, oldest, double.PositiveInfinity, order: Order.Descending, take: limit)
            .WaitAsync(cancellationToken);
        return [.. ids.Select(id => id.ToString())];
    }
}
