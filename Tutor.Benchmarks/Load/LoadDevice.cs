using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Device;

namespace Tutor.Benchmarks.Load;

/// <summary>
/// One simulated child: says an utterance in push-to-talk, listens to the whole reply, pauses, and speaks again. What the
/// gateway sends is read by a loop of its own, so that anything arriving late or twice is seen in the turn it lands in.
/// </summary>
public sealed class LoadDevice(Uri gateway, string userId, string token, byte[] utterance, LoadOptions options)
{
    private readonly Channel<(long At, string? Type, string? State, string? Code, bool Audio)> _events = Channel.CreateUnbounded<(long, string?, string?, string?, bool)>();

    public List<TurnRecord> Turns { get; } = [];

    public async Task RunAsync(TimeSpan startAfter, CancellationToken cancellationToken)
    {
        await Task.Delay(startAfter, cancellationToken);
        await using var device = await DeviceClient.ConnectAsync(gateway, userId, token, DeviceProfile.Pcm16, cancellationToken);
        var receiving = ReceiveAsync(device.Socket, cancellationToken);
        var timeout = TimeSpan.FromSeconds(options.TurnTimeoutSeconds);
        TurnRecord? previous = null;
        for (var turn = 0; turn < options.Turns; turn++)
        {
            await device.SpeakAsync(utterance, TurnTaking.Manual, realTime: true, cancellationToken);
            var record = new TurnRecord(Stopwatch.GetTimestamp());
            // Whatever came in while the child spoke belongs to the turn before (a late or repeated answer).
            Drain(previous);
            await ListenAsync(record, timeout, cancellationToken);
            Turns.Add(record);
            previous = record;
            await Task.Delay(TimeSpan.FromSeconds(options.PauseSeconds), cancellationToken);
        }

        // Anything still coming after the last turn is an answer given twice.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        Drain(previous);
        await device.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken);
        try { await receiving; } catch (Exception ex) when (ex is WebSocketException or OperationCanceledException) { }
    }

    private async Task ListenAsync(TurnRecord record, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var e = await _events.Reader.ReadAsync(limit.Token);
                Count(record, e);
                if (e.Type == DeviceMessageTypes.Tts && e.State == TtsStates.Stop && record.FirstAudio is not null)
                {
                    record.Completed = e.At;
                    return;
                }
                if (e.Type == DeviceMessageTypes.Error)
                {
                    record.ErrorCode = e.Code;
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Lost: nothing the device could act on arrived in time.
        }
    }

    private void Drain(TurnRecord? record)
    {
        while (_events.Reader.TryRead(out var e))
        {
            if (record is not null) Count(record, e);
        }
    }

    private static void Count(TurnRecord record, (long At, string? Type, string? State, string? Code, bool Audio) e)
    {
        if (e.Audio)
        {
            record.FirstAudio ??= e.At;
            record.AudioFrames++;
        }
        else if (e.Type == DeviceMessageTypes.Stt)
        {
            record.Transcripts++;
        }
    }

    private async Task ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close) return;
                length += result.Count;
                if (!result.EndOfMessage) continue;
                var at = Stopwatch.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    _events.Writer.TryWrite((at, null, null, null, true));
                }
                else if (TutorJson.TryDeserialize<DeviceMessage>(Encoding.UTF8.GetString(buffer, 0, length)) is { } message)
                {
                    _events.Writer.TryWrite((at, message.Type, message.State, message.Code, false));
                }
                length = 0;
            }
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }
}

/// <summary>One turn as the device lived it (Stopwatch timestamps).</summary>
public sealed class TurnRecord(long spokeAt)
{
    public long SpokeAt { get; } = spokeAt;
    public long? FirstAudio { get; set; }
    public long? Completed { get; set; }
    public string? ErrorCode { get; set; }
    public int Transcripts { get; set; }
    public int AudioFrames { get; set; }

    public bool Answered => Completed is not null;
    public bool Told => !Answered && ErrorCode is not null;
    public bool Lost => !Answered && ErrorCode is null;

    /// <summary>An answer given more than once shows as more than one transcript for the turn.</summary>
    public int ExtraAnswers => Math.Max(0, Transcripts - 1);
}
