using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;
using Tutor.Workers.Turns;

namespace Tutor.Tests.Workers;

/// <summary>
/// Pub/sub keeps nothing; the pending-utterance stream does. An announcement nobody heard, and a turn whose worker
/// stopped midway, are still answered — once.
/// </summary>
public sealed class DurableTurnTests : WorkerTestBed
{
    private static readonly Dictionary<string, string> QuickSweep = new()
    {
        ["Turns:ClaimLease"] = "00:00:01",
        ["Turns:SweepInterval"] = "00:00:00.200",
        ["Turns:SweepAge"] = "00:00:00.500",
        ["Providers:Chat:Kind"] = "offline",
    };
    [Fact]
    public async Task An_utterance_announced_while_no_worker_listened_is_answered_when_one_starts()
    {
        var sessionId = await Redis.OpenSessionAsync("early-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        var audioKey = await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));

        Workers.Add(new WorkerHost(Redis, OpenAi, QuickSweep));

        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        await Eventually.HoldsAsync(async () => (await Redis.Database.StreamLengthAsync(Channels.PendingUtterances)) == 0, "the pending entry is gone");
        Assert.False(await Redis.Database.KeyExistsAsync(audioKey));
    }

    [Fact]
    public async Task A_turn_whose_worker_stops_midway_is_finished_by_another_and_answered_once()
    {
        var first = new WorkerHost(Redis, OpenAi, QuickSweep);
        var second = new WorkerHost(Redis, OpenAi, QuickSweep);
        Workers.AddRange([first, second]);
        await Redis.WaitForSubscribersAsync(Channels.AudioProcessing, 2);
        OpenAi.SpeechDelay = TimeSpan.FromMilliseconds(700); // a turn long enough to stop a worker in the middle of it
        var sessionId = await Redis.OpenSessionAsync("steady-child");
        await using var events = await PubSubRecorder.StartAsync(Redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));

        var audioKey = await Redis.AnnounceAsync(sessionId, TestAudio.Utterance(TimeSpan.FromSeconds(0.4)));
        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"audio_response\"")), Timeout);
        var holder = (await Redis.Database.StringGetAsync(RedisKeys.TurnClaim(audioKey))).ToString();
        var (stopping, staying) = first.Services.GetRequiredService<TurnClaims>().WorkerId == holder ? (first, second) : (second, first);
        Assert.Equal(holder, stopping.Services.GetRequiredService<TurnClaims>().WorkerId);
        await stopping.DisposeAsync();
        Workers.Remove(stopping);

        var published = await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);
        await Task.Delay(1500); // a second answer would come within this
        Assert.Single(events.Messages, e => e.Message.Contains("\"reply_end\""));
        var claim = (await Redis.Database.StringGetAsync(RedisKeys.TurnClaim(audioKey))).ToString();
        Assert.Equal($"done:{staying.Services.GetRequiredService<TurnClaims>().WorkerId}", claim);
        Assert.Single((await Redis.LoadProgressAsync("steady-child")).Recent); // the lesson moved once
        Assert.False(await Redis.Database.KeyExistsAsync(audioKey));
    }
}
