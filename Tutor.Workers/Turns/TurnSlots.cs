namespace Tutor.Workers.Turns;

/// <summary>
/// How many turns this worker runs at once (<see cref="TurnOptions.MaxConcurrentTurns"/>). The worker takes only as many
/// utterances off the queue as it has free slots, so the rest wait in the queue for any worker with room. A turn that
/// waits for its child's earlier turn steps aside and gives its slot back meanwhile.
/// </summary>
public sealed class TurnSlots(int count)
{
    private readonly SemaphoreSlim _free = new(count, count);

    public int Free => _free.CurrentCount;

    /// <summary>Waits until at least one slot is free (without taking it).</summary>
    public async Task WaitForFreeAsync(CancellationToken cancellationToken)
    {
        await _free.WaitAsync(cancellationToken);
        _free.Release();
    }

    /// <summary>
    /// Takes a slot for an utterance read off the queue (no more were read than <see cref="Free"/>). A turn coming back
    /// from waiting for its child may have taken that slot meanwhile: the new turn then runs anyway, over the limit by
    /// one for a moment, rather than leave an utterance it already took unanswered.
    /// </summary>
    public TurnSlot Take() => new(_free, held: _free.Wait(0));
}

/// <summary>One running turn's slot, given back when the turn is over.</summary>
public sealed class TurnSlot(SemaphoreSlim free, bool held) : IDisposable
{
    private bool _held = held;

    /// <summary>Gives the slot back while <paramref name="wait"/> runs (waiting costs nothing), then takes one again.</summary>
    public async Task StepAsideAsync(Func<Task> wait, CancellationToken cancellationToken)
    {
        Dispose();
        await wait();
        await free.WaitAsync(cancellationToken);
        _held = true;
    }

    public void Dispose()
    {
        if (!_held) return;
        _held = false;
        free.Release();
    }
}
