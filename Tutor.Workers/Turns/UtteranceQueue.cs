using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Redis;

namespace Tutor.Workers.Turns;

/// <summary>
/// The workers' share of <c>audio:pending</c>: every worker reads the stream in one consumer group, so each utterance goes
/// to exactly one worker without a race (<c>XREADGROUP</c>) and waits in the stream — never offered twice — until a worker
/// has room. While the turn runs its entry is a lease this worker renews; a worker that dies stops renewing and another
/// takes the entry over (<c>XAUTOCLAIM</c>). Only the holder may finish it (<c>XACK</c> + <c>XDEL</c>).
/// </summary>
public sealed class UtteranceQueue(IConnectionMultiplexer redis, IOptions<TurnOptions> options)
{
    private static readonly RedisKey Stream = Channels.PendingUtterances;

    // The lease is the entry's idle time in the group's pending list; these act on it only while this worker holds it.
    private const string HolderCheck = """
        local p = redis.call('XPENDING', @stream, @group, @id, @id, 1)
        if #p == 0 or p[1][2] ~= @consumer then return 0 end

        """;

    private static readonly LuaScript Renew = LuaScript.Prepare(HolderCheck + """
        redis.call('XCLAIM', @stream, @group, @consumer, 0, @id, 'JUSTID')
        return 1
        """);

    private static readonly LuaScript Complete = LuaScript.Prepare(HolderCheck + """
        redis.call('XACK', @stream, @group, @id)
        redis.call('XDEL', @stream, @id)
        return 1
        """);

    // Handing back: the entry looks long idle, so the next XAUTOCLAIM of any worker takes it at once.
    private static readonly LuaScript HandBack = LuaScript.Prepare(HolderCheck + """
        redis.call('XCLAIM', @stream, @group, @consumer, 0, @id, 'IDLE', @idle, 'JUSTID')
        return 1
        """);

    /// <summary>This worker's name in the consumer group: host, process and instance (several may share a process in tests).</summary>
    public string WorkerId { get; } = NodeIds.NewConsumer();

    /// <summary>Takes up to <paramref name="count"/> utterances nobody has taken yet.</summary>
    public Task<StreamEntry[]> TakeAsync(int count, CancellationToken cancellationToken) =>
        ReadGroupAsync(db => db.StreamReadGroupAsync(Stream, PendingUtteranceFields.WorkerGroup, WorkerId, ">", count), cancellationToken);

    /// <summary>Takes over up to <paramref name="count"/> utterances whose worker stopped renewing its lease.</summary>
    public Task<StreamEntry[]> TakeOverAsync(int count, CancellationToken cancellationToken) =>
        ReadGroupAsync(async db =>
        {
            var result = await db.StreamAutoClaimAsync(Stream, PendingUtteranceFields.WorkerGroup, WorkerId,
                (long)options.Value.ClaimLease.TotalMilliseconds, "0-0", count);
            // Stryker disable once conditional : XAUTOCLAIM answers nothing only for a missing stream, which is NOGROUP first
            return result.IsNull ? [] : result.ClaimedEntries;
        }, cancellationToken);

    private async Task<StreamEntry[]> ReadGroupAsync(Func<IDatabase, Task<StreamEntry[]>> read, CancellationToken cancellationToken)
    {
        try
        {
            return await read(redis.GetDatabase()).WaitAsync(cancellationToken);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            // A Redis that restarted empty has neither stream nor group: make them and read again next time. Both reads
            // must: with a short lease the take-over, which comes first, failed every round and the queue was never read.
            await EnsureGroupAsync();
            return [];
        }
    }

    /// <summary>Renews this worker's lease on the entry; false when it is no longer this worker's (taken over, or finished).</summary>
    public async Task<bool> RenewAsync(RedisValue entryId) =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(Renew, Arguments(entryId)) == 1;

    /// <summary>The turn is over: the entry leaves the stream. False when another worker held it by then (it did not count).</summary>
    public async Task<bool> CompleteAsync(RedisValue entryId) =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(Complete, Arguments(entryId)) == 1;

    /// <summary>This worker stops before the turn is over: another takes it at once.</summary>
    public Task HandBackAsync(RedisValue entryId) =>
        redis.GetDatabase().ScriptEvaluateAsync(HandBack, new
        {
            stream = Stream, group = PendingUtteranceFields.WorkerGroup, id = entryId, consumer = WorkerId,
            idle = (long)options.Value.ClaimLease.TotalMilliseconds * 10,
        });

    /// <summary>Utterances waiting for a worker: in the stream and not yet taken.</summary>
    public async Task<long> DepthAsync()
    {
        var db = redis.GetDatabase();
        var length = db.StreamLengthAsync(Stream);
        var pending = db.StreamPendingAsync(Stream, PendingUtteranceFields.WorkerGroup);
        return Math.Max(0, await length - (await pending).PendingMessageCount);
    }

    /// <summary>Makes the stream and the group if they do not exist; the group starts at the stream's beginning, so utterances recorded before any worker ran are taken too.</summary>
    public async Task EnsureGroupAsync()
    {
        try
        {
            await redis.GetDatabase().StreamCreateConsumerGroupAsync(Stream, PendingUtteranceFields.WorkerGroup, "0-0", createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }

    private object Arguments(RedisValue entryId) =>
        new { stream = Stream, group = PendingUtteranceFields.WorkerGroup, id = entryId, consumer = WorkerId };
}
