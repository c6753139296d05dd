using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;
using Tutor.Contracts.Redis;

namespace Tutor.Tests.Contracts;

/// <summary>What counts as Redis failing (and is waited out) and what is a stop (and ends the work).</summary>
public sealed class RedisFailuresTests
{
    [Fact]
    public void Unreachable_slow_and_given_up_commands_are_redis_failures_and_our_own_cancellation_is_not()
    {
        using var stopping = new CancellationTokenSource();
        stopping.Cancel();

        Assert.True(new RedisConnectionException(ConnectionFailureType.SocketFailure, "down").IsRedisFailure());
        Assert.True(new RedisTimeoutException("slow", CommandStatus.Sent).IsRedisFailure());
        Assert.True(new RedisServerException("NOPERM").IsRedisFailure());
        // What StackExchange.Redis leaves in a command's task when it gives the command up with a dead connection.
        Assert.True(new TaskCanceledException().IsRedisFailure());
        Assert.False(new OperationCanceledException(stopping.Token).IsRedisFailure());
        Assert.False(new TaskCanceledException("stopping", null, stopping.Token).IsRedisFailure());
        Assert.False(new InvalidOperationException().IsRedisFailure());
    }

    [Fact]
    public void A_failure_is_logged_as_a_warning_and_counted_by_what_was_being_done()
    {
        var logger = new FakeLogger();
        using var failures = new MetricCollector<long>(null, RedisFailures.MeterName, "tutor.redis.failures");
        var operation = $"testing the record {Guid.NewGuid():N}"; // other tests count failures on the same meter

        RedisFailures.Record(logger, new RedisTimeoutException("slow", CommandStatus.Sent), operation);

        var logged = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal((LogLevel.Warning, 3001), (logged.Level, logged.Id.Id));
        Assert.Contains(operation, logged.Message);
        Assert.Single(failures.GetMeasurementSnapshot(), m => m.Value == 1 && (string?)m.Tags["operation"] == operation);
    }
}
