using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Workers;

/// <summary>
/// A running turn's lease: a dead worker's turn is taken over within half a lease of its running out, and answered even
/// when that took longer than the busy limit; Redis refusing the lease's renewal for less than a lease costs the running
/// turn nothing, for longer makes the worker leave it (then taken again and answered once); a malformed entry is dropped.
/// </summary>
public sealed class TurnLeaseTests : WorkerTestBed
{
    [Fact]
    public async Task A_dead_workers_turn_is_taken_over_within_half_a_lease_after_its_lease_ran_out()
    {
        var sessionId = await Redis.OpenSessionAsync("orphan-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        await Redis.QueueTakenByDeadWorkerAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));
        var died = DateTimeOffset.UtcNow;

        await StartWorkersAsync(1, new Dictionary<string, string> { ["Turns:ClaimLease"] = "00:00:06", ["Providers:Chat:Kind"] = "offline" });

        // The worker looks for abandoned turns every half lease (3 s): the turn is free at 6 s and taken by 9 s at the latest.
        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"stt\"")), Timeout);
        var takenAfter = DateTimeOffset.UtcNow - died;
        Assert.InRange(takenAfter.TotalSeconds, 5.9, 10.5);
    }

    [Fact]
    public async Task A_turn_taken_over_after_longer_than_the_busy_limit_is_answered_not_refused()
    {
        var sessionId = await Redis.OpenSessionAsync("late-orphan-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        // Queued three seconds ago and taken by a worker that died: the child was heard, the wait is the workers' fault.
        var audioKey = await Redis.QueueTakenByDeadWorkerAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)), DateTimeOffset.UtcNow.AddSeconds(-3));
        Workers.Add(new WorkerHost(Redis, OpenAi, new Dictionary<string, string>
        {
            ["Turns:ClaimLease"] = "00:00:01", ["Turns:PollInterval"] = "00:00:00.200", ["Turns:MaxQueueWait"] = "00:00:01",
            ["Providers:Chat:Kind"] = "offline",
        }));
        using var waits = Workers[0].Measurements<double>("tutor.worker.queue.wait");

        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        Assert.DoesNotContain(events.Messages, e => JsonSerializer.Deserialize<SessionEvent>(e.Message, TutorJson.Options)!.Code == DeviceErrorCodes.Busy);
        var wait = Assert.Single(waits.GetMeasurementSnapshot());
        Assert.Equal(true, wait.Tags["taken_over"]);
        Assert.True(wait.Value >= 3, $"the queue wait counts from the utterance's arrival: {wait.Value:0.00} s");
        var takenOver = Assert.Single(Workers[0].Logs.GetSnapshot(), l => l.Id.Id == 2013);
        Assert.Contains(audioKey, takenOver.Message);
    }

    [Fact]
    public async Task A_malformed_queue_entry_is_dropped_and_the_utterance_after_it_answered()
    {
        await Redis.Database.StreamAddAsync(Channels.PendingUtterances, [new NameValueEntry("junk", "1")]);
        var sessionId = await Redis.OpenSessionAsync("after-junk-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));

        await StartWorkersAsync(1, new Dictionary<string, string> { ["Providers:Chat:Kind"] = "offline" });

        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        await Eventually.HoldsAsync(async () => (await Redis.Database.StreamLengthAsync(Channels.PendingUtterances)) == 0, "the malformed entry is gone too");
        Assert.Single(Workers[0].Logs.GetSnapshot(), l => l.Id.Id == 2012);
    }

    [Fact]
    public async Task A_Redis_that_refuses_the_renewals_for_less_than_a_lease_costs_the_running_turn_nothing()
    {
        await StartPausableWorkerAsync(lease: "00:00:03");
        using var lost = Workers[0].Measurements<long>("tutor.worker.leases_lost");
        var (_, events) = await StartTurnAsync("unruffled-child");
        await using var _ = events;

        // While the turn waits for its speech (only HTTP, no Redis), Redis refuses its renewals (every second under a 3 s
        // lease) for 1.2 s — at least one, at most two seconds since the last good one. Only the renewal (and the hand-back)
        // use XCLAIM: denying that command (NOPERM) fails the renewals and nothing else the turn does.
        await Eventually.HoldsAsync(() => Task.FromResult(OpenAi.Speeches.Any()), "the turn asks for its speech");
        await Redis.AdminAsync("ACL", "SETUSER", "default", "-xclaim");
        await Task.Delay(1200);
        await Redis.AdminAsync("ACL", "SETUSER", "default", "+xclaim");
        OpenAi.SpeechDelay = TimeSpan.Zero;

        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        var logs = Workers[0].Logs.GetSnapshot();
        Assert.Contains(logs, l => l.Level == LogLevel.Warning && l.Message.Contains("renewing a turn's lease"));
        Assert.Single(OpenAi.Transcriptions); // not left and done again
        Assert.Empty(lost.GetMeasurementSnapshot());
        Assert.DoesNotContain(logs, l => l.Id.Id is 2016 or 2017);
    }

    [Fact]
    public async Task A_turn_whose_lease_could_not_be_renewed_for_a_whole_lease_is_left_then_taken_again_and_answered_once()
    {
        await StartPausableWorkerAsync(lease: "00:00:02");
        using var lost = Workers[0].Measurements<long>("tutor.worker.leases_lost");
        var (_, events) = await StartTurnAsync("stranded-child");
        await using var _ = events;

        // Redis refuses the renewals for longer than the lease: this worker can no longer say the turn is its own (another
        // may have taken it over), so it leaves it; once the renewals go through again, the turn is taken again.
        await Eventually.HoldsAsync(() => Task.FromResult(OpenAi.Speeches.Any()), "the turn asks for its speech");
        await Redis.AdminAsync("ACL", "SETUSER", "default", "-xclaim");
        await Eventually.HoldsAsync(() => Task.FromResult(lost.GetMeasurementSnapshot().Count > 0), "the lease is given up");
        OpenAi.SpeechDelay = TimeSpan.Zero;
        await Redis.AdminAsync("ACL", "SETUSER", "default", "+xclaim");

        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        await Never.HappensAsync(() => events.Messages.Count(e => e.Message.Contains("\"reply_end\"")) > 1, "a second answer", TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(events.Messages, e => e.Message.Contains("\"error\""));
        Assert.Equal(2, OpenAi.Transcriptions.Count()); // left, then done again
        Assert.Equal([1L], lost.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Single(Workers[0].Logs.GetSnapshot(), l => l.Id.Id == 2017);
        await Eventually.HoldsAsync(async () => (await Redis.Database.StreamLengthAsync(Channels.PendingUtterances)) == 0, "the entry is finished");
    }

    /// <summary>A worker whose Redis calls time out after a second (a paused Redis gives <c>RedisTimeoutException</c>).</summary>
    private Task StartPausableWorkerAsync(string lease) =>
        StartWorkersAsync(1, new Dictionary<string, string>
        {
            ["ConnectionStrings:redis"] = $"{Redis.ConnectionString},syncTimeout=1000,asyncTimeout=1000",
            ["Turns:ClaimLease"] = lease, ["Turns:PollInterval"] = "00:00:00.200", ["Turns:MaxQueueWait"] = "00:00:30",
            ["Providers:Chat:Kind"] = "offline",
        });

    /// <summary>Starts a turn whose speech takes long (the stand-in waits 8 s before answering, unless the turn leaves).</summary>
    private async Task<(string SessionId, PubSubRecorder Events)> StartTurnAsync(string child)
    {
        OpenAi.SpeechDelay = TimeSpan.FromSeconds(8);
        var sessionId = await Redis.OpenSessionAsync(child);
        var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));
        return (sessionId, events);
    }
}
