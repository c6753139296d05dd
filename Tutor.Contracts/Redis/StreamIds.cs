using StackExchange.Redis;

namespace Tutor.Contracts.Redis;

/// <summary>Redis stream entry ids (<c>{unix ms}-{sequence}</c>): when an entry was added, and which came first.</summary>
public static class StreamIds
{
    public static (long Milliseconds, long Sequence) Parse(RedisValue id) =>
        id.ToString().Split('-') is [var ms, var seq] && long.TryParse(ms, out var m) && long.TryParse(seq, out var q) ? (m, q) : (0, 0);

    /// <summary>When the entry was added (the id's first part is its Unix time in milliseconds).</summary>
    public static DateTimeOffset AddedAt(RedisValue id) => DateTimeOffset.FromUnixTimeMilliseconds(Parse(id).Milliseconds);

    /// <summary>Whether entry <paramref name="id"/> comes after <paramref name="other"/>.</summary>
    public static bool IsAfter(RedisValue id, RedisValue other) => Parse(id).CompareTo(Parse(other)) > 0;
}
