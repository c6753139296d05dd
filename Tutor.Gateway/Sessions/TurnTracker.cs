using System.Diagnostics;
using Tutor.Contracts.Diagnostics;
using Tutor.Gateway.Diagnostics;

namespace Tutor.Gateway.Sessions;

/// <summary>
/// A connection's turns: those announced and not yet played to their end, those still awaiting the workers (with when
/// they were last heard of), and those aborted, whose late events must be dropped. Shared by the receive loop, the relay
/// and the player of one connection — every place where a turn's fate is decided — so it also holds each turn's trace:
/// a root span from the end of the utterance to the last audio sent (or the failure, abort or timeout), linked to the
/// connection's span, renamed for what happened once the workers say (<see cref="TurnStages.TurnName"/>). Just over 200
/// lines because a turn's state and its trace change together, under one lock.
/// </summary>
/// <param name="connection">The connection's span, which each turn's trace links to (none for pairing).</param>
public sealed class TurnTracker(ActivityContext connection = default)
{
    private readonly Dictionary<string, (Activity Root, bool AudioSent)> _traces = [];
    private readonly object _gate = new();
    private readonly HashSet<string> _inFlight = [];
    private readonly HashSet<string> _aborted = [];
    private readonly HashSet<(string TurnId, string Type, int Sequence)> _relayed = [];
    private readonly Dictionary<string, long> _awaiting = []; // turn → when the workers were last heard of for it
    private readonly HashSet<string> _ended = []; // turns whose reply_end or error has been relayed

    /// <summary>A turn begins (its utterance has ended); returns its trace's root, to publish the utterance under.</summary>
    public Activity? Started(string turnId)
    {
        var root = BeginTrace(turnId);
        lock (_gate)
        {
            _inFlight.Add(turnId);
            _awaiting[turnId] = Stopwatch.GetTimestamp();
            if (root is not null) _traces[turnId] = (root, false);
        }
        return root;
    }

    /// <summary>A new trace, whatever span is current: a turn is not a child of the hours-long connection, only linked to it.</summary>
    private Activity? BeginTrace(string turnId)
    {
        var current = Activity.Current;
        Activity.Current = null;
        try
        {
            var root = GatewayTelemetry.ActivitySource.StartActivity("turn", ActivityKind.Server, default(ActivityContext),
                links: connection == default ? null : [new ActivityLink(connection)]);
            root?.SetTag("tutor.turn_id", turnId);
            return root;
        }
        finally
        {
            Activity.Current = current;
        }
    }

    /// <summary>The workers said how the turn went: its trace is named for it.</summary>
    public void Judged(string turnId, string? lessonId, string? stepId, string? outcome)
    {
        lock (_gate)
        {
            if (!_traces.TryGetValue(turnId, out var trace)) return;
            trace.Root.DisplayName = TurnStages.TurnName(lessonId, stepId, outcome ?? "answered");
            trace.Root.SetTag("tutor.lesson_id", lessonId);
            trace.Root.SetTag("tutor.step_id", stepId);
            trace.Root.SetTag("tutor.outcome", outcome);
        }
    }

    /// <summary>The turn's first audio went to the device; returns how long after the end of the utterance, when traced.</summary>
    public TimeSpan? FirstAudioSent(string turnId)
    {
        lock (_gate)
        {
            if (!_traces.TryGetValue(turnId, out var trace) || trace.AudioSent) return null;
            _traces[turnId] = trace with { AudioSent = true };
            TurnStages.Record(GatewayTelemetry.ActivitySource, TurnStages.FirstAudioSent, trace.Root.StartTimeUtc, trace.Root.Context);
            return DateTime.UtcNow - trace.Root.StartTimeUtc;
        }
    }

    /// <summary>Ends the turn's trace, once: <paramref name="failure"/> (a device error code, <c>aborted</c>) when it was not answered.</summary>
    private void EndTrace(string turnId, string? failure)
    {
        if (!_traces.Remove(turnId, out var trace)) return;
        if (failure is null)
        {
            if (trace.AudioSent) TurnStages.Record(GatewayTelemetry.ActivitySource, TurnStages.LastAudioSent, trace.Root.StartTimeUtc, trace.Root.Context);
        }
        else
        {
            if (trace.Root.DisplayName == "turn") trace.Root.DisplayName = TurnStages.TurnName(null, null, failure);
            trace.Root.SetTag("tutor.outcome", failure);
            if (failure != "aborted") trace.Root.SetStatus(ActivityStatusCode.Error, failure);
        }
        trace.Root.Stop();
    }

    /// <summary>The turn could not be answered (<paramref name="code"/>, as the device was told).</summary>
    public void Failed(string turnId, string code)
    {
        lock (_gate) EndTrace(turnId, code);
    }

    /// <summary>The connection ends: traces of turns still open end with it (their replies may reach a resumed session).</summary>
    public void EndTraces()
    {
        lock (_gate)
        {
            foreach (var turnId in _traces.Keys.ToList()) EndTrace(turnId, "connection_closed");
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
                EndTrace(turnId, "turn_timeout");
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
            EndTrace(turnId, null);
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
            foreach (var turnId in turns) EndTrace(turnId, "aborted");
            return turns;
        }
    }
}
