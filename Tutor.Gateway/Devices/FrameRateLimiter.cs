using System.Diagnostics;

namespace Tutor.Gateway.Devices;

/// <summary>A token bucket over a connection's incoming messages: <c>rate</c> per second sustained, <c>burst</c> at once.</summary>
public sealed class FrameRateLimiter(int rate, int burst)
{
    private double _tokens = burst;
    private long _last = Stopwatch.GetTimestamp();

    /// <summary>Takes one token; false when the device is sending faster than allowed.</summary>
    public bool TryTake()
    {
        var now = Stopwatch.GetTimestamp();
        _tokens = Math.Min(burst, _tokens + Stopwatch.GetElapsedTime(_last, now).TotalSeconds * rate);
        _last = now;
        if (_tokens < 1) return false;
        _tokens--;
        return true;
    }
}
