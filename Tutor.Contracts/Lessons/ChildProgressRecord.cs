using System.Text.Json;
using StackExchange.Redis;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;

namespace Tutor.Contracts.Lessons;

/// <summary>How a child's progress is stored at <c>progress:{user_id}</c> (JSON): read and written here only.</summary>
public static class ChildProgressRecord
{
    /// <summary>The child's progress, or null when the child has none yet.</summary>
    public static async Task<ChildProgress?> ReadChildProgressAsync(this IDatabaseAsync db, string userId, CancellationToken cancellationToken)
    {
        var json = await db.StringGetAsync(RedisKeys.ChildProgress(userId)).WaitAsync(cancellationToken);
        return json.IsNullOrEmpty ? null : JsonSerializer.Deserialize<ChildProgress>((string)json!, TutorJson.Options);
    }

    /// <summary>Stores the progress for <paramref name="lifetime"/>, or with the lifetime it had when that is null.</summary>
    public static Task WriteChildProgressAsync(this IDatabaseAsync db, string userId, ChildProgress progress, TimeSpan? lifetime,
        CancellationToken cancellationToken) =>
        db.StringSetAsync(RedisKeys.ChildProgress(userId), JsonSerializer.Serialize(progress, TutorJson.Options), lifetime, keepTtl: lifetime is null)
            .WaitAsync(cancellationToken);
}
