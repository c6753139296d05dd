using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;
using Tutor.Workers.Turns;

namespace Tutor.Tests.Workers;

/// <summary>
/// The queue's own rules, several workers' queues against one real Redis: each utterance goes to one worker; only the
/// holder renews, finishes or hands back its entry; another takes it over only once its lease ran out or it was handed
/// back; the depth counts what nobody has taken; a queue whose stream vanished makes it again, and a key of another type
/// in its place is an error, not an empty queue.
/// </summary>
public sealed class UtteranceQueueTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task Each_utterance_goes_to_one_worker_and_the_depth_counts_those_nobody_took()
    {
        await AddAsync(3); // before any worker: the group must start at the stream's beginning
        var (first, second) = (Queue(), Queue());
        await first.EnsureGroupAsync();
        await second.EnsureGroupAsync(); // the second worker's start leaves the group as it is
        Assert.Equal(3, await first.DepthAsync());

        var firstTook = await first.TakeAsync(2, CancellationToken.None);
        Assert.Equal(1, await second.DepthAsync());
        var secondTook = await second.TakeAsync(5, CancellationToken.None);

        Assert.Equal((2, 1), (firstTook.Length, secondTook.Length));
        Assert.Empty(firstTook.Select(e => e.Id).Intersect(secondTook.Select(e => e.Id)));
        Assert.Empty(await first.TakeAsync(5, CancellationToken.None));
        Assert.Equal(0, await first.DepthAsync());
        Assert.Equal(3, await _redis.Database.StreamLengthAsync(Channels.PendingUtterances)); // taken, not yet finished
    }

    [Fact]
    public async Task Only_the_worker_holding_an_entry_renews_or_finishes_it()
    {
        var (holder, other) = (Queue(), Queue());
        await holder.EnsureGroupAsync();
        await AddAsync(1);
        var entry = Assert.Single(await holder.TakeAsync(1, CancellationToken.None));

        Assert.False(await other.RenewAsync(entry.Id));
        Assert.False(await other.CompleteAsync(entry.Id));
        Assert.Equal(1, await _redis.Database.StreamLengthAsync(Channels.PendingUtterances));
        await Task.Delay(300);
        Assert.True(await holder.RenewAsync(entry.Id));
        Assert.True((await PendingAsync()).IdleTimeInMilliseconds < 250, "renewing starts the lease again");

        Assert.True(await holder.CompleteAsync(entry.Id));
        Assert.Equal(0, await _redis.Database.StreamLengthAsync(Channels.PendingUtterances));
        Assert.False(await holder.CompleteAsync(entry.Id), "finished once only");
        Assert.False(await holder.RenewAsync(entry.Id), "a finished entry is nobody's lease");
    }

    [Fact]
    public async Task An_entry_is_taken_over_only_once_its_lease_ran_out_or_its_worker_handed_it_back()
    {
        var (holder, other, third) = (Queue(), Queue(), Queue());
        await holder.EnsureGroupAsync();
        await AddAsync(1);
        var entry = Assert.Single(await holder.TakeAsync(1, CancellationToken.None));
        Assert.Empty(await other.TakeOverAsync(5, CancellationToken.None)); // its worker holds it (lease of 10 s)

        await other.HandBackAsync(entry.Id); // not the other's to hand back
        Assert.Empty(await third.TakeOverAsync(5, CancellationToken.None));
        await holder.HandBackAsync(entry.Id);

        var takenOver = Assert.Single(await other.TakeOverAsync(5, CancellationToken.None));
        Assert.Equal(entry.Id, takenOver.Id);
        Assert.Equal(other.WorkerId, (await PendingAsync()).ConsumerName);
        Assert.False(await holder.RenewAsync(entry.Id), "the first worker learns the turn is no longer its");
        Assert.Empty(await third.TakeOverAsync(5, CancellationToken.None)); // the new holder's lease starts afresh
    }

    [Fact]
    public async Task A_queue_whose_stream_and_group_vanished_makes_them_again_whichever_read_comes_first()
    {
        var queue = Queue();
        Assert.Empty(await queue.TakeOverAsync(5, CancellationToken.None));
        Assert.Single(await _redis.Database.StreamGroupInfoAsync(Channels.PendingUtterances));

        await _redis.Database.KeyDeleteAsync(Channels.PendingUtterances);
        Assert.Empty(await queue.TakeAsync(5, CancellationToken.None));
        await AddAsync(1);
        Assert.Single(await queue.TakeAsync(5, CancellationToken.None));
    }

    [Fact]
    public async Task A_key_of_another_type_where_the_queue_should_be_is_an_error_not_an_empty_queue()
    {
        // Another program's key in the queue's place: a worker that read it as "nothing to do" would wait forever.
        await _redis.Database.StringSetAsync(Channels.PendingUtterances, "not a stream");
        var queue = Queue();

        await Assert.ThrowsAsync<RedisServerException>(queue.EnsureGroupAsync);
        await Assert.ThrowsAsync<RedisServerException>(() => queue.TakeAsync(1, CancellationToken.None));
        await Assert.ThrowsAsync<RedisServerException>(() => queue.TakeOverAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task A_read_Redis_refuses_for_any_other_reason_is_an_error_not_a_missing_group()
    {
        var queue = Queue();
        await queue.EnsureGroupAsync();

        // Only NOGROUP means "make the group again"; any other refusal (here: a count Redis does not take) is reported.
        var refused = await Assert.ThrowsAsync<RedisServerException>(() => queue.TakeOverAsync(0, CancellationToken.None));
        Assert.DoesNotContain("NOGROUP", refused.Message);
    }

    private UtteranceQueue Queue() => new(_redis.Connection, Options.Create(new TurnOptions { ClaimLease = Lease }));

    private async Task AddAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _redis.Database.StreamAddAsync(Channels.PendingUtterances,
                PendingUtteranceFields.Of(new UtteranceAnnouncement("session", RedisKeys.NewUtteranceAudio("session"))));
        }
    }

    private async Task<StreamPendingMessageInfo> PendingAsync() =>
        Assert.Single(await _redis.Database.StreamPendingMessagesAsync(Channels.PendingUtterances, PendingUtteranceFields.WorkerGroup, 10, RedisValue.Null));
}
