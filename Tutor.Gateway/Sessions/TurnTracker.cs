using System.Diagnostics;

namespace Tutor.Gateway.Sessions;

/// <summary>
/// A connection's turns: those announced and not yet played to their end, those still awaiting the workers (with when
/// they were last heard of), and those aborted, whose late events must be dropped. Shared by the receive loop, the relay
/// and the player of one connection.
/// </summary>
public sealed class TurnTracker
{
    private readonly object _gate = new();
    private readonly HashSet<string> _inFlight = [];
    private readonly HashSet<string> _aborted = [];
    private readonly HashSet<(string TurnId, string Type, int Sequence)> _relayed = [];
    private readonly Dictionary<string, long> _awaiting = []; // turn → when the workers were last heard of for it
    private readonly HashSet<string> _ended = []; // turns whose reply_end or error has been relayed

    public void Started(string turnId)
    {
        lock (_gate)
        {
            _inFlight.Add(turnId);
            _awaiting[turnId] = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Whether some turn still awaits the workers.</summary>
    public bool Awaiting
    {
        get
        {
            lock (_gate) return _awaiting.Count > 0;
        }
    }

    /// <summary>How many turns await the workers.</summary>
    public int AwaitingCount
    {
        get
        {
            lock (_gate) return _awaiting.Count;
        }
    }

    /// <summary>The workers said something of the turn: its deadline starts again, or ends with its last event.</summary>
    public void Heard(string turnId, bool last)
    {
        lock (_gate)
        {
            if (last)
            {
                if (_ended.Count > 10_000) _ended.Clear(); // a bound; turns last seconds
                _ended.Add(turnId);
                _awaiting.Remove(turnId);
            }
            else if (_awaiting.ContainsKey(turnId))
            {
                _awaiting[turnId] = Stopwatch.GetTimestamp();
            }
        }
    }

    /// <summary>
    /// The turns the workers have said nothing of for <paramref name="deadline"/>: they are marked aborted (anything that
    /// comes for them later is dropped) and returned.
    /// </summary>
    public IReadOnlyList<string> Overdue(TimeSpan deadline)
    {
        lock (_gate)
        {
            var overdue = _awaiting.Where(t => Stopwatch.GetElapsedTime(t.Value) > deadline).Select(t => t.Key).ToList();
            foreach (var turnId in overdue)
            {
                _awaiting.Remove(turnId);
                _inFlight.Remove(turnId);
                _aborted.Add(turnId);
            }
            return overdue;
        }
    }

    /// <summary>The turn's reply has been played to its end (or its failure told): an abort no longer concerns it.</summary>
    public void Finished(string turnId)
    {
        lock (_gate)
        {
            _inFlight.Remove(turnId);
            _awaiting.Remove(turnId);
        }
    }

    /// <summary>
    /// Whether this event of the turn comes for the first time, and before the turn ended. A turn whose worker died is
    /// taken again by another, which publishes its events again: the device must not hear the same sentence twice, nor
    /// anything of a turn after its end.
    /// </summary>
    public bool IsFirst(string turnId, string type, int sequence)
    {
        lock (_gate)
        {
            if (_ended.Contains(turnId)) return false;
            if (_relayed.Count > 10_000) _relayed.Clear(); // a bound; turns last seconds
            return _relayed.Add((turnId, type, sequence));
        }
    }

    public bool IsAborted(string turnId)
    {
        lock (_gate) return _aborted.Contains(turnId);
    }

    /// <summary>Marks every turn in flight as aborted and returns them.</summary>
    public IReadOnlyList<string> AbortAll()
    {
        lock (_gate)
        {
            var turns = _inFlight.ToList();
            _aborted.UnionWith(turns);
            _inFlight.Clear();
            _awaiting.Clear();
            return turns;
        }
    }
}
