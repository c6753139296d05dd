using System.Text.Json;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Workers;

/// <summary>
/// A running turn's lease: a dead worker's turn is taken over within half a lease of its running out, and answered even
/// when that took longer than the busy limit; a malformed queue entry is dropped.
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
}
