using System.Text.RegularExpressions;

namespace Tutor.Contracts;

/// <summary>What a user id may look like: Firebase uids and our own demo ids both fit.</summary>
public static partial class UserIds
{
    public const int MaxLength = 128;

    public static bool IsValid(string? userId) => userId is not null && Pattern().IsMatch(userId);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex Pattern();
}
