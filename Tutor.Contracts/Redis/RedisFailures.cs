using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Tutor.Contracts.Redis;

/// <summary>
/// One policy for Redis failing, in the gateway and the workers alike: a Redis that cannot be reached and one that does
/// not answer in time are the same failure — but StackExchange.Redis's <see cref="RedisTimeoutException"/> is not a
/// <see cref="RedisException"/>, so a <c>catch (RedisException)</c> alone lets every timeout through. Catch with
/// <c>when (ex.IsRedisFailure())</c>, then <see cref="Record"/> it: a log line and the <c>tutor.redis.failures</c> metric.
/// A third kind: a command StackExchange.Redis gives up on when it drops a connection it found dead ("no reads in 5
/// seconds") can end <em>cancelled</em> — a <see cref="TaskCanceledException"/> that no token of ours asked for. Taken
/// for a stop, it once ended a worker's intake for good (found with a process dump after Redis paused for 6 s); it is a
/// Redis failure like the others. A cancellation we asked for carries our token, so it still reads as a stop.
/// </summary>
public static class RedisFailures
{
    public const string MeterName = "Tutor.Redis";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("tutor.redis.failures", "{failure}",
        "Redis calls that failed (unreachable or too slow), by what was being done.");

    public static bool IsRedisFailure(this Exception exception) =>
        exception is RedisException or RedisTimeoutException or OperationCanceledException { CancellationToken.CanBeCanceled: false };

    /// <summary>Counts the failure of <paramref name="operation"/> and logs it (a warning: the caller goes on).</summary>
    public static void Record(ILogger logger, Exception exception, string operation)
    {
        Failures.Add(1, new KeyValuePair<string, object?>("operation", operation));
        logger.RedisFailed(exception, operation, exception.Message);
    }
}
