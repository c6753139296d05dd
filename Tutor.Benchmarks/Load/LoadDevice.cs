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
    /// <summary>How long the device waits before reconnecting, as firmware does after a lost connection.</summary>
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromMilliseconds(500);

    private Channel<(long At, string? Type, string? State, string? Code, bool Audio)> _events = NewEvents();

    public List<TurnRecord> Turns { get; } = [];

    /// <summary>Times the connection was lost and made again (a gateway restarted).</summary>
    public int Reconnects { get; private set; }

    public async Task RunAsync(TimeSpan startAfter, CancellationToken cancellationToken)
    {
        await Task.Delay(startAfter, cancellationToken);
        var timeout = TimeSpan.FromSeconds(options.TurnTimeoutSeconds);
        DeviceClient? device = null;
        Task receiving = Task.CompletedTask;
        TurnRecord? previous = null;
        try
        {
            for (var turn = 0; turn < options.Turns; turn++)
            {
                if (device is null || device.Socket.State != WebSocketState.Open)
                {
                    if (device is not null)
                    {
                        await device.DisposeAsync();
                        Reconnects++;
                    }
                    (device, receiving) = await ConnectAsync(cancellationToken);
                }

                TurnRecord record;
                try
                {
                    await device.SpeakAsync(utterance, TurnTaking.Manual, realTime: true, cancellationToken);
                    record = new TurnRecord(Stopwatch.GetTimestamp());
                }
                catch (WebSocketException)
                {
                    turn--; // the utterance never left: the child says it again on the new connection
                    continue;
                }
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
            if (device?.Socket.State == WebSocketState.Open)
            {
                await device.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken);
            }
            try { await receiving; } catch (Exception ex) when (ex is WebSocketException or OperationCanceledException) { }
        }
        finally
        {
            if (device is not null) await device.DisposeAsync();
        }
    }

    /// <summary>Connects, trying again while the gateway is down (it may be restarting).</summary>
    private async Task<(DeviceClient Device, Task Receiving)> ConnectAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var device = await DeviceClient.ConnectAsync(gateway, userId, token, DeviceProfile.Pcm16, cancellationToken);
                _events = NewEvents();
                return (device, ReceiveAsync(device.Socket, _events.Writer, cancellationToken));
            }
            catch (Exception ex) when (ex is WebSocketException or InvalidDataException or HttpRequestException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(ReconnectDelay, cancellationToken);
            }
        }
    }

    private static Channel<(long, string?, string?, string?, bool)> NewEvents() =>
        Channel.CreateUnbounded<(long, string?, string?, string?, bool)>();

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
                    record.ToldAt = e.At;
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Lost: nothing the device could act on arrived in time.
        }
        catch (ChannelClosedException)
        {
            // The connection closed under the turn (a gateway restarting): the device knows, and says it again later.
            record.ErrorCode = "connection_lost";
            record.ToldAt = Stopwatch.GetTimestamp();
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
            if (record.Completed is not null || record.ErrorCode is not null) record.FramesAfterEnd++;
            record.FirstAudio ??= e.At;
            record.AudioFrames++;
        }
        else if (e.Type == DeviceMessageTypes.Stt)
        {
            record.Transcripts++;
        }
    }

    private static async Task ReceiveAsync(ClientWebSocket socket, ChannelWriter<(long, string?, string?, string?, bool)> events,
        CancellationToken cancellationToken)
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
                    events.TryWrite((at, null, null, null, true));
                }
                else if (TutorJson.TryDeserialize<DeviceMessage>(Encoding.UTF8.GetString(buffer, 0, length)) is { } message)
                {
                    events.TryWrite((at, message.Type, message.State, message.Code, false));
                }
                length = 0;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The connection is gone; the turn in progress learns it from the closed channel.
        }
        finally
        {
            events.TryComplete();
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
    public long? ToldAt { get; set; }
    public int Transcripts { get; set; }
    public int AudioFrames { get; set; }

    /// <summary>Audio frames that arrived after the turn had ended (its <c>tts stop</c> or error): heard during another turn.</summary>
    public int FramesAfterEnd { get; set; }

    public bool Answered => Completed is not null;
    public bool Told => !Answered && ErrorCode is not null;
    public bool Lost => !Answered && ErrorCode is null;

    /// <summary>How long the child waited for the first audio or for an error it could act on (null when lost).</summary>
    public TimeSpan? Waited => (FirstAudio ?? ToldAt) is { } at ? Stopwatch.GetElapsedTime(SpokeAt, at) : null;

    /// <summary>An answer given more than once shows as more than one transcript for the turn.</summary>
    public int ExtraAnswers => Math.Max(0, Transcripts - 1);
}
