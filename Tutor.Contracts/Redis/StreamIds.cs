using StackExchange.Redis;

namespace Tutor.Contracts.Redis;

/// <summary>Redis stream entry ids (<c>{unix ms}-{sequence}</c>): when an entry was added, and which came first.</summary>
public static class StreamIds
{
    public static (long Milliseconds, long Sequence) Parse(RedisValue id) => TryParse(id, out var parsed) ? parsed : (0, 0);

    /// <summary>Whether <paramref name="id"/> is a whole stream id (two non-negative integers joined by '-').</summary>
    public static bool TryParse(RedisValue id, out (long Milliseconds, long Sequence) parsed)
    {
        parsed = default;
        if (id.ToString().Split('-') is not [var ms, var seq]
            || !long.TryParse(ms, System.Globalization.NumberStyles.None, null, out var m)
            || !long.TryParse(seq, System.Globalization.NumberStyles.None, null, out var q))
        {
            return false;
        }
        parsed = (m, q);
        return true;
    }

    /// <summary>When the entry was added (the id's first part is its Unix time in milliseconds).</summary>
    public static DateTimeOffset AddedAt(RedisValue id) => DateTimeOffset.FromUnixTimeMilliseconds(Parse(id).Milliseconds);

    /// <summary>Whether entry <paramref name="id"/> comes after <paramref name="other"/>.</summary>
    public static bool IsAfter(RedisValue id, RedisValue other) => Parse(id).CompareTo(Parse(other)) > 0;
}
