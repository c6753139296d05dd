using System.Diagnostics;
using System.Threading.Channels;
using Tutor.Contracts.Devices;
using Tutor.Gateway.Sessions;

namespace Tutor.Gateway.Downlink;

/// <summary>
/// Plays a connection's replies in the order the relay hands them over: text at once, audio in the device's frames paced
/// near real time, at most <c>preBuffer</c> ahead of what the device has played, so the device never holds a whole reply.
/// Announces each turn with <c>tts start</c> and ends it with <c>tts stop</c>; an abort stops it between two frames.
/// </summary>
public sealed class ReplyPlayer : IAsyncDisposable
{
    private readonly DeviceSender _device;
    private DownlinkEncoder _encoder;
    private readonly TurnTracker _turns;
    private readonly TimeSpan _preBuffer;
    private readonly Channel<PlayItem> _items = Channel.CreateUnbounded<PlayItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private CancellationTokenSource _interrupt = new();
    private string? _speakingTurn;
    private long _playhead = Stopwatch.GetTimestamp();

    private readonly Func<string, string, Task> _speaking;

    /// <param name="speaking">Told (turn id, <c>speaking</c> or <c>listening</c>) when the device starts and stops speaking a reply.</param>
    public ReplyPlayer(DeviceSender device, DownlinkEncoder encoder, TurnTracker turns, TimeSpan preBuffer, Func<string, string, Task> speaking)
    {
        _speaking = speaking;
        _device = device;
        _encoder = encoder;
        _turns = turns;
        _preBuffer = preBuffer;
        _loop = PlayAsync(_stop.Token);
    }

    /// <summary>Switches the device's format; only before the first reply (right after the device's hello).</summary>
    public void Use(DownlinkEncoder encoder) => _encoder = encoder;

    public void Say(string turnId, DeviceMessage message) => _items.Writer.TryWrite(new PlayItem(turnId, message, null));

    /// <summary>Plays a part of the reply; <paramref name="sentence"/> is announced (<c>sentence_start</c>) with a sentence's first part only.</summary>
    public void Speak(string turnId, string? sentence, byte[] pcm) =>
        _items.Writer.TryWrite(new PlayItem(turnId, sentence is null ? null : DeviceMessage.SentenceStart(sentence), pcm));

    public void EndTurn(string turnId) => _items.Writer.TryWrite(new PlayItem(turnId, null, null, EndsTurn: true));

    /// <summary>
    /// Stops the turn being played at once; the caller has marked the aborted turns in the tracker. The player may be
    /// between two parts of a reply, waiting for the next one (which will never come): the stop is queued too, so the
    /// device hears <c>tts stop</c> either way.
    /// </summary>
    public void Interrupt()
    {
        Interlocked.Exchange(ref _interrupt, new CancellationTokenSource()).Cancel();
        _items.Writer.TryWrite(new PlayItem("", null, null, Stops: true));
    }

    private async Task PlayAsync(CancellationToken stopping)
    {
        await Task.Yield();
        try
        {
            await foreach (var item in _items.Reader.ReadAllAsync(stopping))
            {
                if (item.Stops)
                {
                    await StopSpeakingAsync(stopping);
                    continue;
                }

                var interrupt = Volatile.Read(ref _interrupt).Token;
                if (_turns.IsAborted(item.TurnId) || interrupt.IsCancellationRequested)
                {
                    await StopSpeakingAsync(stopping);
                    continue;
                }

                if (item.EndsTurn)
                {
                    // Sent to the end: from now on an abort has nothing of this turn to stop.
                    _turns.Finished(item.TurnId);
                    if (_speakingTurn == item.TurnId) await UntilPlayedAsync(interrupt, stopping);
                    await StopSpeakingAsync(stopping);
                    continue;
                }

                if (item.Audio is not null && _speakingTurn != item.TurnId)
                {
                    await StopSpeakingAsync(stopping);
                    await _device.SendAsync(DeviceMessage.SpeakingStarted(), stopping);
                    _speakingTurn = item.TurnId;
                    await _speaking(item.TurnId, Tutor.Contracts.Transcripts.DeviceStates.Speaking);
                }
                if (item.Message is not null) await _device.SendAsync(item.Message, stopping);
                if (item.Audio is not null) await PlayAudioAsync(item.Audio, interrupt, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }
    }

    private async Task PlayAudioAsync(byte[] pcm, CancellationToken interrupt, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(interrupt, stopping);
        try
        {
            foreach (var frame in _encoder.Frames(pcm))
            {
                var sendAt = _playhead - (long)(_preBuffer.TotalSeconds * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), sendAt);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, linked.Token);

                await _device.SendBinaryAsync(frame, linked.Token);
                _playhead = Math.Max(_playhead, Stopwatch.GetTimestamp()) + (long)(_encoder.FrameDuration.TotalSeconds * Stopwatch.Frequency);
            }
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            await StopSpeakingAsync(stopping);
        }
    }

    /// <summary>
    /// Waits until the device has played what was sent: xiaozhi's clients drop what they have not played yet when
    /// <c>tts stop</c> arrives, so the stop comes when the pacing clock says the last frame is over (or on an abort).
    /// </summary>
    private async Task UntilPlayedAsync(CancellationToken interrupt, CancellationToken stopping)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _playhead);
        if (wait <= TimeSpan.Zero) return;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(interrupt, stopping);
        try
        {
            await Task.Delay(wait, linked.Token);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            // Interrupted: tts stop at once.
        }
    }

    private async Task StopSpeakingAsync(CancellationToken stopping)
    {
        if (_speakingTurn is not { } turnId) return;
        _speakingTurn = null;
        _playhead = Stopwatch.GetTimestamp(); // what was sent ahead is dropped by the device on stop
        await _device.SendAsync(DeviceMessage.SpeakingStopped(), stopping);
        await _speaking(turnId, Tutor.Contracts.Transcripts.DeviceStates.Listening);
    }

    public async ValueTask DisposeAsync()
    {
        _items.Writer.TryComplete();
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private sealed record PlayItem(string TurnId, DeviceMessage? Message, byte[]? Audio, bool EndsTurn = false, bool Stops = false);
}
