using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Workers;

/// <summary>
/// How a worker takes utterances off the queue: woken by the announcement rather than its poll; idle, it reads the queue
/// once a poll and not in a loop (many workers share one Redis); with every slot busy it leaves the next utterance to
/// the others; with Redis gone it backs off and says so.
/// </summary>
public sealed class TurnIntakeTests : WorkerTestBed
{
    [Fact]
    public async Task An_idle_worker_is_woken_by_the_announcement_instead_of_waiting_for_its_poll()
    {
        // A poll so slow that only the announcement on audio:processing can explain a quick answer.
        await StartWorkersAsync(1, new Dictionary<string, string> { ["Turns:PollInterval"] = "00:00:30", ["Providers:Chat:Kind"] = "offline" });
        var worker = Workers[0];
        using var inFlight = worker.Measurements<long>("tutor.worker.turns.in_flight");
        await Task.Delay(500); // the worker has read the empty queue and waits
        var sessionId = await Redis.OpenSessionAsync("awake-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));

        await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));

        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), TimeSpan.FromSeconds(10));
        await Eventually.HoldsAsync(() => Task.FromResult(inFlight.GetMeasurementSnapshot().Count == 2), "the turn counted in and out of flight");
        Assert.Equal([1L, -1L], inFlight.GetMeasurementSnapshot().Select(m => m.Value));
        var logs = worker.Logs.GetSnapshot();
        Assert.Single(logs, l => l.Id.Id == 2000); // "taking utterances", once
        Assert.DoesNotContain(logs, l => l.Level >= LogLevel.Warning); // a plain turn: nothing taken over, nothing lost
    }

    [Fact]
    public async Task An_idle_worker_reads_the_queue_once_a_poll_not_in_a_loop()
    {
        await StartWorkersAsync(1, new Dictionary<string, string> { ["Turns:PollInterval"] = "00:00:00.500", ["Turns:ClaimLease"] = "00:00:10" });
        await Task.Delay(1000);
        var before = await Redis.CommandCallsAsync();
        await Task.Delay(3000);
        var after = await Redis.CommandCallsAsync();

        long Calls(string command) => after.GetValueOrDefault(command) - before.GetValueOrDefault(command);
        // 3 s of 0.5 s polls: about six reads; take-overs every half lease (5 s): at most one; the group made once, before.
        Assert.InRange(Calls("xreadgroup"), 3, 9);
        Assert.InRange(Calls("xautoclaim"), 0, 1);
        Assert.Equal(0, Calls("xgroup|create"));
    }

    [Fact]
    public async Task A_worker_with_every_slot_busy_leaves_the_next_utterance_in_the_queue_for_the_others()
    {
        // The only slot goes to a turn taken over from a dead worker; a new utterance waits behind it.
        var first = await Redis.OpenSessionAsync("first-child");
        var second = await Redis.OpenSessionAsync("second-child");
        await using var firstEvents = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(first)));
        await using var secondEvents = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(second)));
        await Redis.QueueTakenByDeadWorkerAsync(first, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));
        await Task.Delay(1200); // past the lease
        await Redis.AnnounceAsync(second, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));
        OpenAi.SpeechDelay = TimeSpan.FromMilliseconds(1500);

        await StartWorkersAsync(1, new Dictionary<string, string>
        {
            ["Turns:ClaimLease"] = "00:00:01", ["Turns:PollInterval"] = "00:00:00.200", ["Turns:MaxConcurrentTurns"] = "1",
            ["Turns:MaxQueueWait"] = "00:00:30", ["Providers:Chat:Kind"] = "offline",
        });

        await firstEvents.WaitForAsync(m => m.Any(e => e.Message.Contains("\"stt\"")), Timeout);
        var pending = await Redis.Database.StreamPendingMessagesAsync(Channels.PendingUtterances, PendingUtteranceFields.WorkerGroup, 10, RedisValue.Null);
        Assert.True(pending.Length == 1, "held: " + string.Join(", ", pending.Select(p => $"{p.MessageId} {p.ConsumerName} idle {p.IdleTimeInMilliseconds} delivered {p.DeliveryCount}"))); // only the turn in the slot: the new utterance is still anyone's
        await secondEvents.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        Assert.Single(firstEvents.Messages, e => e.Message.Contains("\"reply_end\""));
        // No read failed, for Redis or otherwise (a read of 0 entries would be refused, or read the whole queue).
        Assert.DoesNotContain(Workers[0].Logs.GetSnapshot(), l => l.Message.Contains("taking utterances off the queue") || l.Id.Id == 2020);
    }

    [Fact]
    public async Task A_worker_whose_queue_Redis_refuses_backs_off_says_so_and_takes_up_again_once_it_is_fixed()
    {
        await StartWorkersAsync(1, new Dictionary<string, string> { ["Turns:PollInterval"] = "00:00:00.200", ["Providers:Chat:Kind"] = "offline" });

        // Another program's key where the queue should be: every read is refused at once (WRONGTYPE), not after a timeout.
        await Redis.Database.KeyDeleteAsync(Channels.PendingUtterances);
        await Redis.Database.StringSetAsync(Channels.PendingUtterances, "not a stream");
        await Task.Delay(3000);
        // About one attempt a second (the backoff), each logged; without the backoff it would be thousands.
        var failures = Workers[0].Logs.GetSnapshot().Count(l => l.Level == LogLevel.Warning && l.Message.Contains("taking utterances off the queue"));
        Assert.InRange(failures, 2, 5);

        await Redis.Database.KeyDeleteAsync(Channels.PendingUtterances);
        var sessionId = await Redis.OpenSessionAsync("after-repair-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));
        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
    }

    [Fact]
    public async Task A_Redis_silent_for_longer_than_the_clients_patience_pauses_the_intake_and_never_ends_it()
    {
        // Calls time out after 1 s; StackExchange.Redis drops a connection with no reads for 5 s as dead, and the commands
        // it then gives up on may end cancelled. Taken for the worker's stop, that once ended the intake for good (2–3
        // runs in 10, one in one on the day it was found with a process dump).
        await StartWorkersAsync(1, new Dictionary<string, string>
        {
            ["ConnectionStrings:redis"] = $"{Redis.ConnectionString},syncTimeout=1000,asyncTimeout=1000",
            ["Turns:ClaimLease"] = "00:00:02", ["Turns:PollInterval"] = "00:00:00.200", ["Turns:MaxQueueWait"] = "00:00:30",
            ["Providers:Chat:Kind"] = "offline",
        });
        OpenAi.SpeechDelay = TimeSpan.FromSeconds(8);
        var first = await Redis.OpenSessionAsync("before-silence-child");
        await Redis.AnnounceAsync(first, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));
        await Eventually.HoldsAsync(() => Task.FromResult(OpenAi.Speeches.Any()), "the turn asks for its speech");

        await Redis.AdminAsync("CLIENT", "PAUSE", "6000");
        await Task.Delay(6500);
        OpenAi.SpeechDelay = TimeSpan.Zero;
        var second = await Redis.OpenSessionAsync("after-silence-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(second)));
        await Redis.AnnounceAsync(second, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));

        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        // The turn under way when Redis went silent is finished too (answered, or its device told): nothing is left queued.
        await Eventually.HoldsAsync(async () => (await Redis.Database.StreamLengthAsync(Channels.PendingUtterances)) == 0, "both utterances finished");
    }
}
