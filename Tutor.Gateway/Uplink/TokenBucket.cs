using System.Diagnostics;

namespace Tutor.Gateway.Uplink;

/// <summary>A token bucket over one connection's input: <c>rate</c> per second sustained, <c>burst</c> at once.</summary>
public sealed class TokenBucket(double rate, double burst)
{
    private readonly double _burst = burst;
    private double _tokens = burst;
    private long _last = Stopwatch.GetTimestamp();

    /// <summary>Takes <paramref name="amount"/> tokens (messages, bytes); false when the device is sending faster than allowed.</summary>
    public bool TryTake(double amount = 1)
    {
        var now = Stopwatch.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + Stopwatch.GetElapsedTime(_last, now).TotalSeconds * rate);
        _last = now;
        if (_tokens < amount) return false;
        _tokens -= amount;
        return true;
    }
}
