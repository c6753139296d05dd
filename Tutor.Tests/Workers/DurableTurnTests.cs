using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;
using Tutor.Workers.Turns;

namespace Tutor.Tests.Workers;

/// <summary>
/// The queue (<c>audio:pending</c>, one consumer group): an utterance queued while no worker ran, a turn whose worker
/// stopped or died midway, a crowd of utterances for few slots — each answered once; one that waited too long is told
/// busy; a worker whose turn was taken over publishes nothing more.
/// </summary>
public sealed class DurableTurnTests : WorkerTestBed
{
    private static readonly Dictionary<string, string> QuickLease = new()
    {
        ["Turns:ClaimLease"] = "00:00:01",
        ["Turns:PollInterval"] = "00:00:00.200",
        ["Providers:Chat:Kind"] = "offline",
    };

    [Fact]
    public async Task An_utterance_queued_while_no_worker_ran_is_answered_when_one_starts()
    {
        var sessionId = await Redis.OpenSessionAsync("early-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        var audioKey = await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));

        Workers.Add(new WorkerHost(Redis, OpenAi, QuickLease));

        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        await Eventually.HoldsAsync(async () => (await Redis.Database.StreamLengthAsync(Channels.PendingUtterances)) == 0, "the queue entry is gone");
        Assert.False(await Redis.Database.KeyExistsAsync(audioKey));
    }

    [Fact]
    public async Task A_turn_running_past_its_limit_is_abandoned_and_the_device_told_so_once()
    {
        OpenAi.SpeechDelay = TimeSpan.FromSeconds(30);
        await StartWorkersAsync(1, new Dictionary<string, string> { ["Turns:MaxTurnDuration"] = "00:00:05", ["Providers:Chat:Kind"] = "offline" });
        using var turns = CountTurns(Workers[0]);
        var sessionId = await Redis.OpenSessionAsync("endless-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));
        var started = DateTimeOffset.UtcNow;

        await events.WaitForAsync(m => m.Any(e => e.Message.Contains(DeviceErrorCodes.TurnTimeout)), Timeout);
        Assert.InRange((DateTimeOffset.UtcNow - started).TotalSeconds, 4.5, 15);
        await Eventually.HoldsAsync(async () => (await Redis.Database.StreamLengthAsync(Channels.PendingUtterances)) == 0, "the turn is over");
        Assert.DoesNotContain(events.Messages, e => e.Message.Contains("\"reply_end\"") || e.Message.Contains(DeviceErrorCodes.TurnFailed));
        Assert.Single(events.Messages, e => e.Message.Contains(DeviceErrorCodes.TurnTimeout));
        Assert.Equal(["timed_out"], await turns.WaitForAsync(1));
        Assert.Single(Workers[0].Logs.GetSnapshot(), l => l.Id.Id == 2006);
    }

    [Fact]
    public async Task A_turn_whose_worker_stops_midway_is_finished_by_another_and_answered_once()
    {
        var first = new WorkerHost(Redis, OpenAi, QuickLease);
        var second = new WorkerHost(Redis, OpenAi, QuickLease);
        Workers.AddRange([first, second]);
        await Redis.WaitForSubscribersAsync(Channels.AudioProcessing, 2);
        OpenAi.SpeechDelay = TimeSpan.FromMilliseconds(700); // a turn long enough to stop a worker in the middle of it
        var sessionId = await Redis.OpenSessionAsync("steady-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));

        var audioKey = await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));
        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"audio_response\"")), Timeout);
        var holder = await HolderAsync();
        var stopping = new[] { first, second }.Single(w => w.Services.GetRequiredService<UtteranceQueue>().WorkerId == holder);
        var stoppingLogs = stopping.Logs;
        await stopping.DisposeAsync();
        Workers.Remove(stopping);

        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        await Never.HappensAsync(() => events.Messages.Count(e => e.Message.Contains("\"reply_end\"")) > 1, "a second answer", TimeSpan.FromMilliseconds(1500));
        AssertLoggedOnce(stoppingLogs, 2003, RedisKeys.TurnIdOf(audioKey)); // left unfinished, not failed
        Assert.DoesNotContain(stoppingLogs.GetSnapshot(), l => l.Id.Id is 2006 or 2007);
        Assert.Single((await Redis.LoadProgressAsync("steady-child")).Recent); // the lesson moved once
        Assert.False(await Redis.Database.KeyExistsAsync(audioKey));
        Assert.Equal(0, await Redis.Database.StreamLengthAsync(Channels.PendingUtterances));
    }

    [Fact]
    public async Task A_turn_whose_worker_died_is_taken_over_once_its_lease_runs_out()
    {
        var sessionId = await Redis.OpenSessionAsync("orphan-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        await Redis.QueueTakenByDeadWorkerAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));
        var died = DateTimeOffset.UtcNow;

        Workers.Add(new WorkerHost(Redis, OpenAi, QuickLease));

        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        Assert.True(DateTimeOffset.UtcNow - died >= TimeSpan.FromSeconds(0.9), "taken over only after the lease ran out");
        Assert.Single(events.Messages, e => e.Message.Contains("\"stt\""));
        await Eventually.HoldsAsync(async () => (await Redis.Database.StreamLengthAsync(Channels.PendingUtterances)) == 0, "the entry is finished");
    }

    [Fact]
    public async Task A_worker_whose_turn_was_taken_over_publishes_nothing_more_for_it()
    {
        Workers.Add(new WorkerHost(Redis, OpenAi, QuickLease));
        await Redis.WaitForSubscribersAsync(Channels.AudioProcessing, 1);
        using var lost = Workers[0].Measurements<long>("tutor.worker.leases_lost");
        OpenAi.SpeechDelay = TimeSpan.FromMilliseconds(700);
        var sessionId = await Redis.OpenSessionAsync("stolen-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));

        var audioKey = await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));
        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"stt\"")), Timeout);
        // Another worker takes the entry over (as after a long pause of this one) and keeps renewing its lease: the turn is
        // no longer this worker's.
        var entry = (await Redis.Database.StreamRangeAsync(Channels.PendingUtterances)).Single();
        await Redis.Database.StreamClaimIdsOnlyAsync(Channels.PendingUtterances, PendingUtteranceFields.WorkerGroup, "thief", 0, [entry.Id]);
        var stolen = events.Messages.Count;
        for (var i = 0; i < 12; i++) // several of the worker's renewals and speech requests
        {
            await Task.Delay(200);
            await Redis.Database.StreamClaimIdsOnlyAsync(Channels.PendingUtterances, PendingUtteranceFields.WorkerGroup, "thief", 0, [entry.Id]);
        }

        var later = events.Messages.Skip(stolen).Select(m => JsonSerializer.Deserialize<SessionEvent>(m.Message, TutorJson.Options)!).ToList();
        Assert.True(later.Count <= 1, $"{later.Count} events after the lease was lost: {string.Join(", ", later.Select(e => $"{e.Type} {e.Sequence} {e.Text}"))}"); // a part already in flight may land
        Assert.DoesNotContain(later, e => e.Type == SessionEventTypes.ReplyEnd);
        Assert.True(await Redis.Database.KeyExistsAsync(audioKey), "the child's audio stays for the worker that holds the turn now");
        Assert.Equal(1, await Redis.Database.StreamLengthAsync(Channels.PendingUtterances));
        Assert.Equal([1L], lost.GetMeasurementSnapshot().Select(m => m.Value)); // counted once: the worker left and stopped renewing
        Assert.Single(Workers[0].Logs.GetSnapshot(), l => l.Id.Id == 2016); // "taken over by another worker; leaving the turn"
    }

    [Fact]
    public async Task Many_utterances_for_few_slots_are_each_answered_exactly_once()
    {
        var settings = new Dictionary<string, string>(QuickLease) { ["Turns:MaxConcurrentTurns"] = "1" };
        await StartWorkersAsync(2, settings);
        OpenAi.SpeechDelay = TimeSpan.FromMilliseconds(100);
        var children = Enumerable.Range(1, 6).Select(i => $"crowd-{i}").ToList();
        var sessions = new Dictionary<string, string>();
        foreach (var child in children) sessions[child] = await Redis.OpenSessionAsync(child);
        var recorders = new List<PubSubRecorder>();
        foreach (var child in children)
        {
            recorders.Add(await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessions[child]))));
        }
        try
        {
            foreach (var child in children) await Redis.AnnounceAsync(sessions[child], TestAudio.Utterance(TimeSpan.FromSeconds(0.3)));

            foreach (var recorder in recorders) await recorder.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
            await Task.Delay(1000);
            Assert.All(recorders, r => Assert.Single(r.Messages, e => e.Message.Contains("\"stt\"")));
            Assert.Equal(children.Count, OpenAi.Transcriptions.Count());
        }
        finally
        {
            foreach (var recorder in recorders) await recorder.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_utterance_that_waited_too_long_for_a_worker_is_answered_busy_at_once()
    {
        var settings = new Dictionary<string, string>(QuickLease) { ["Turns:MaxQueueWait"] = "00:00:02" };
        await StartWorkersAsync(1, settings);
        using var turns = CountTurns(Workers[0]);
        var sessionId = await Redis.OpenSessionAsync("waiting-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        var audioKey = RedisKeys.NewUtteranceAudio(sessionId);
        await Redis.Database.StringSetAsync(audioKey, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)), RedisKeys.AudioLifetime);
        // Queued five seconds ago, while every worker was busy.
        var queuedAt = DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeMilliseconds();
        await Redis.Database.StreamAddAsync(Channels.PendingUtterances, PendingUtteranceFields.Of(new UtteranceAnnouncement(sessionId, audioKey)), $"{queuedAt}-0");

        var published = await events.WaitForAsync(m => m.Count > 0, Timeout);
        var busy = JsonSerializer.Deserialize<SessionEvent>(Assert.Single(published).Message, TutorJson.Options)!;
        Assert.Equal((SessionEventTypes.Error, DeviceErrorCodes.Busy, RedisKeys.TurnIdOf(audioKey)), (busy.Type, busy.Code, busy.TurnId));
        Assert.Empty(OpenAi.Requests);
        await Eventually.HoldsAsync(async () => !await Redis.Database.KeyExistsAsync(audioKey), "the child's audio is deleted unheard");
        Assert.Equal(["busy"], await turns.WaitForAsync(1));
        AssertLoggedOnce(Workers[0].Logs, 2011, audioKey);
        await TurnsFinishedAsync();
    }

    [Fact]
    public async Task A_Redis_that_stops_answering_for_a_while_does_not_stop_a_worker()
    {
        // Short client timeouts, so that a paused Redis gives RedisTimeoutException (which is not a RedisException).
        var settings = new Dictionary<string, string>(QuickLease)
        {
            ["ConnectionStrings:redis"] = $"{Redis.ConnectionString},syncTimeout=1000,asyncTimeout=1000",
        };
        await StartWorkersAsync(1, settings);

        await Redis.Database.ExecuteAsync("CLIENT", "PAUSE", "4000", "ALL");
        await Task.Delay(4500); // the worker's reads time out meanwhile

        var sessionId = await Redis.OpenSessionAsync("patient-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.3)));
        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
    }

    [Fact]
    public async Task A_turn_already_answered_and_saved_is_not_applied_again_when_it_runs_a_second_time()
    {
        var sessionId = await Redis.OpenSessionAsync("saved-child");
        var audioKey = RedisKeys.NewUtteranceAudio(sessionId);
        var turnId = RedisKeys.TurnIdOf(audioKey);
        // Its first worker answered, saved the child's progress with this turn in it, and died before finishing the entry.
        await Redis.SeedProgressAsync("saved-child", "colours-en-for-es", "sky",
            new Tutor.Contracts.Lessons.ConversationTurn("red", "Great job! Red! And the sky?", DateTimeOffset.UtcNow, turnId));
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        await StartWorkersAsync(1, QuickLease);

        await Redis.Database.StringSetAsync(audioKey, TestAudio.Utterance(TimeSpan.FromSeconds(0.3)), RedisKeys.AudioLifetime);
        await Redis.PublishAnnouncementAsync(new UtteranceAnnouncement(sessionId, audioKey));

        await Eventually.HoldsAsync(async () => await Redis.Database.StreamLengthAsync(Channels.PendingUtterances) == 0, "the entry is finished");
        // Not heard, judged or spoken again.
        await Never.HappensAsync(() => OpenAi.Requests.Any() || events.Messages.Count > 0, "the saved turn worked on again", TimeSpan.FromMilliseconds(300));
        var progress = await Redis.LoadProgressAsync("saved-child");
        Assert.Equal(("sky", 1), (progress.StepId, progress.Recent.Count)); // the lesson did not move twice
        Assert.False(await Redis.Database.KeyExistsAsync(audioKey));
        AssertLoggedOnce(Workers[0].Logs, 2008, turnId);
    }

    [Fact]
    public async Task A_worker_that_stops_hands_its_turn_back_at_once_instead_of_leaving_it_to_its_lease()
    {
        // A lease long enough that a turn left to it would sit idle for seconds: only a hand-back makes it look expired now.
        var longLease = new Dictionary<string, string>(QuickLease) { ["Turns:ClaimLease"] = "00:00:10" };
        var first = new WorkerHost(Redis, OpenAi, longLease);
        var second = new WorkerHost(Redis, OpenAi, longLease);
        Workers.AddRange([first, second]);
        await Redis.WaitForSubscribersAsync(Channels.AudioProcessing, 2);
        OpenAi.SpeechDelay = TimeSpan.FromMilliseconds(700);
        var sessionId = await Redis.OpenSessionAsync("handed-back-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));

        await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));
        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"audio_response\"")), Timeout);
        var holder = await HolderAsync();
        var stopping = new[] { first, second }.Single(w => w.Services.GetRequiredService<UtteranceQueue>().WorkerId == holder);
        await stopping.DisposeAsync();
        Workers.Remove(stopping);

        // Renewed a few seconds ago at most, the entry is either still the stopped worker's but idle past the lease (handed
        // back), or already the other worker's — which it could only be if it had been handed back.
        var entry = (await Redis.Database.StreamPendingMessagesAsync(Channels.PendingUtterances, PendingUtteranceFields.WorkerGroup, 10, RedisValue.Null)).Single();
        Assert.True(entry.ConsumerName != holder || entry.IdleTimeInMilliseconds >= 10_000,
            $"the stopped worker's entry is idle {entry.IdleTimeInMilliseconds} ms: left to its lease, not handed back");
        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        await Never.HappensAsync(() => events.Messages.Count(e => e.Message.Contains("\"reply_end\"")) > 1, "a second answer", TimeSpan.FromMilliseconds(1500));
    }

    [Fact]
    public async Task A_Redis_that_lost_everything_gets_its_queue_back_and_the_next_utterance_is_answered()
    {
        Workers.Add(new WorkerHost(Redis, OpenAi, QuickLease));
        await Redis.WaitForSubscribersAsync(Channels.AudioProcessing, 1);

        // A Redis restarted without persistence: no stream, no consumer group. The worker must make them again itself.
        await Redis.Database.ExecuteAsync("FLUSHALL");
        var sessionId = await Redis.OpenSessionAsync("after-flush-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));

        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        await Eventually.HoldsAsync(async () => (await Redis.Database.StreamLengthAsync(Channels.PendingUtterances)) == 0, "the queue entry is gone");
    }

    /// <summary>The worker holding the (only) entry, from the group's pending list.</summary>
    private async Task<string> HolderAsync()
    {
        var pending = await Redis.Database.StreamPendingMessagesAsync(Channels.PendingUtterances, PendingUtteranceFields.WorkerGroup, 10, RedisValue.Null);
        return Assert.Single(pending).ConsumerName!;
    }
}
