using System.Text.Json;
using StackExchange.Redis;
using Tutor.Contracts.Families;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Tests.Infrastructure;

/// <summary>What a gateway writes to Redis, done by a test that exercises the workers on their own.</summary>
public static class AsTheGateway
{
    /// <summary>Writes the session record of a device that connected: a Spanish-speaking child learning English.</summary>
    public static async Task<string> OpenSessionAsync(this RedisServer redis, string userId)
    {
        var sessionId = Guid.NewGuid().ToString("N");
        var child = new ChildProfile(userId, $"Child {userId}", 7, "es", "en", "beginner", ["parent"], []);
        await redis.Database.HashSetAsync(RedisKeys.Session(sessionId),
            [new(SessionFields.UserId, userId), new(SessionFields.SampleRate, 16000), new(SessionFields.Channels, 1),
             new(SessionFields.Profile, JsonSerializer.Serialize(child, TutorJson.Options))]);
        return sessionId;
    }

    /// <summary>Stores and announces an utterance; returns its audio key.</summary>
    public static async Task<string> AnnounceAsync(this RedisServer redis, string sessionId, byte[] pcm)
    {
        var audioKey = RedisKeys.NewUtteranceAudio(sessionId);
        await redis.Database.StringSetAsync(audioKey, pcm, RedisKeys.AudioLifetime);
        await redis.PublishAnnouncementAsync(new UtteranceAnnouncement(sessionId, audioKey));
        return audioKey;
    }

    /// <summary>Queues the utterance in <c>audio:pending</c> and announces it on <c>audio:processing</c>, as the gateway does.</summary>
    public static async Task PublishAnnouncementAsync(this RedisServer redis, UtteranceAnnouncement announcement)
    {
        await redis.Database.StreamAddAsync(Channels.PendingUtterances, PendingUtteranceFields.Of(announcement));
        await redis.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(Channels.AudioProcessing), TutorJson.Serialize(announcement));
    }

    /// <summary>
    /// Stores and queues an utterance (queued at <paramref name="queuedAt"/>, now when null) that a worker took and died
    /// with at once: it is in the group's pending list under a name nobody renews. Returns its audio key.
    /// </summary>
    public static async Task<string> QueueTakenByDeadWorkerAsync(this RedisServer redis, string sessionId, byte[] pcm, DateTimeOffset? queuedAt = null)
    {
        var audioKey = RedisKeys.NewUtteranceAudio(sessionId);
        await redis.Database.StringSetAsync(audioKey, pcm, RedisKeys.AudioLifetime);
        try
        {
            await redis.Database.StreamCreateConsumerGroupAsync(Channels.PendingUtterances, PendingUtteranceFields.WorkerGroup, "0-0", createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
        var id = queuedAt is { } at ? $"{at.ToUnixTimeMilliseconds()}-0" : "*";
        await redis.Database.StreamAddAsync(Channels.PendingUtterances, PendingUtteranceFields.Of(new UtteranceAnnouncement(sessionId, audioKey)), id);
        var taken = await redis.Database.StreamReadGroupAsync(Channels.PendingUtterances, PendingUtteranceFields.WorkerGroup, "dead-worker", ">", 10);
        if (taken.Length != 1) throw new InvalidOperationException($"the dead worker took {taken.Length} entries, not its one");
        return audioKey;
    }

    /// <summary>Puts the child at a step of a lesson, as earlier turns would have.</summary>
    public static Task SeedProgressAsync(this RedisServer redis, string userId, string lessonId, string stepId, params ConversationTurn[] recent) =>
        redis.Database.StringSetAsync(RedisKeys.ChildProgress(userId),
            JsonSerializer.Serialize(new ChildProgress { LessonId = lessonId, StepId = stepId, Recent = recent }, TutorJson.Options));

    public static async Task<ChildProgress> LoadProgressAsync(this RedisServer redis, string userId) =>
        JsonSerializer.Deserialize<ChildProgress>((string)(await redis.Database.StringGetAsync(RedisKeys.ChildProgress(userId)))!, TutorJson.Options)!;

    /// <summary>
    /// The child's progress once <paramref name="saved"/> holds: a worker saves it just after publishing the reply's end,
    /// so a test that heard the reply may otherwise read the progress of the turn before.
    /// </summary>
    public static async Task<ChildProgress> ProgressOnceAsync(this RedisServer redis, string userId, Func<ChildProgress, bool> saved, string what)
    {
        ChildProgress? progress = null;
        await Eventually.HoldsAsync(async () => (await redis.Database.KeyExistsAsync(RedisKeys.ChildProgress(userId)))
            && saved(progress = await redis.LoadProgressAsync(userId)), what);
        return progress!;
    }
}
