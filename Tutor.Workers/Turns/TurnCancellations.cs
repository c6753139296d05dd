using System.Collections.Concurrent;

namespace Tutor.Workers.Turns;

/// <summary>The turns this worker is running, so that an abort from the device can stop the one it names.</summary>
public sealed class TurnCancellations
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();

    /// <summary>Registers a running turn; disposing the result unregisters it.</summary>
    public IDisposable Register(string turnId, CancellationTokenSource cancellation)
    {
        _running[turnId] = cancellation;
        return new Registration(() => _running.TryRemove(new KeyValuePair<string, CancellationTokenSource>(turnId, cancellation)));
    }

    /// <summary>Cancels the turn if this worker runs it; returns whether it did.</summary>
    public bool Cancel(string turnId)
    {
        if (!_running.TryGetValue(turnId, out var cancellation)) return false;
        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return false; // it finished meanwhile
        }
        return true;
    }

    private sealed class Registration(Action unregister) : IDisposable
    {
        public void Dispose() => unregister();
    }
}
