using System.Diagnostics;
using Xunit.Sdk;

namespace Tutor.Tests.Infrastructure;

/// <summary>
/// "Nothing more happens": watches for what must not happen during the whole window and fails the moment it does,
/// naming it. A fixed sleep followed by an assert looks only once, at the end, and says nothing of what it waited for.
/// </summary>
public static class Never
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);

    /// <param name="window">How long it would take to happen if it were going to (e.g. a duplicate reply's publish).</param>
    public static Task HappensAsync(Func<bool> happened, string what, TimeSpan window) => HappensAsync(happened, () => what, window);

    /// <param name="what">Described when it happened, so the description can name what was seen.</param>
    public static async Task HappensAsync(Func<bool> happened, Func<string> what, TimeSpan window)
    {
        var started = Stopwatch.GetTimestamp();
        do
        {
            if (happened()) throw new XunitException($"{what()} happened {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms into a {window.TotalMilliseconds:0} ms watch.");
            await Task.Delay(Poll);
        }
        while (Stopwatch.GetElapsedTime(started) < window);
        if (happened()) throw new XunitException($"{what()} happened at the end of a {window.TotalMilliseconds:0} ms watch.");
    }

    public static async Task HappensAsync(Func<Task<bool>> happened, string what, TimeSpan window)
    {
        var started = Stopwatch.GetTimestamp();
        do
        {
            if (await happened()) throw new XunitException($"{what} happened {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms into a {window.TotalMilliseconds:0} ms watch.");
            await Task.Delay(Poll);
        }
        while (Stopwatch.GetElapsedTime(started) < window);
        if (await happened()) throw new XunitException($"{what} happened at the end of a {window.TotalMilliseconds:0} ms watch.");
    }
}
