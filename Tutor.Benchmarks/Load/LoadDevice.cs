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

    /// <summary>How long a device that resumed its session waits for the rest of a reply to start.</summary>
    private static readonly TimeSpan ResumeWait = TimeSpan.FromSeconds(8);

    private Channel<(long At, string? Type, string? State, string? Code, bool Audio)> _events = NewEvents();

    public List<TurnRecord> Turns { get; } = [];

    /// <summary>Times the connection was lost and made again (a gateway restarted).</summary>
    public int Reconnects { get; private set; }

    public async Task RunAsync(TimeSpan startAfter, CancellationToken cancellationToken)
    {
        await Task.Delay(startAfter, cancellationToken);
        var timeout = TimeSpan.FromSeconds(options.TurnTimeoutSeconds);
        TurnRecord? previous = null;
        try
        {
            for (var turn = 0; turn < options.Turns; turn++)
            {
                await EnsureConnectedAsync(cancellationToken);
                TurnRecord record;
                try
                {
                    await _device!.SpeakAsync(utterance, TurnTaking.Manual, realTime: true, cancellationToken);
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
            if (_device?.Socket.State == WebSocketState.Open)
            {
                await _device.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken);
            }
            try { await _receiving; } catch (Exception ex) when (ex is WebSocketException or OperationCanceledException) { }
        }
        finally
        {
            if (_device is not null) await _device.DisposeAsync();
        }
    }

    private DeviceClient? _device;
    private Task _receiving = Task.CompletedTask;

    /// <summary>Connects if the connection is gone, resuming the session it had: replies on their way still come.</summary>
    private async Task EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (_device is { Socket.State: WebSocketState.Open }) return;
        var resume = _device?.SessionId;
        if (_device is not null)
        {
            await _device.DisposeAsync();
            Reconnects++;
        }
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                _device = await DeviceClient.ConnectAsync(gateway, userId, token, DeviceProfile.Pcm16, cancellationToken, resume);
                _events = NewEvents();
                _receiving = ReceiveAsync(_device.Socket, _events.Writer, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or InvalidDataException or HttpRequestException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(ReconnectDelay, cancellationToken);
            }
        }
    }

    private static Channel<(long, string?, string?, string?, bool)> NewEvents() =>
        Channel.CreateUnbounded<(long, string?, string?, string?, bool)>();

    /// <param name="resumed">
    /// Listening on a resumed session after a lost connection: the rest of the reply must start within
    /// <see cref="ResumeWait"/>; once it has, it may take its playing time as any reply does.
    /// </param>
    private async Task ListenAsync(TurnRecord record, TimeSpan timeout, CancellationToken cancellationToken, bool resumed = false)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(resumed ? ResumeWait : timeout);
        var heardAgain = false;
        try
        {
            while (true)
            {
                var e = await _events.Reader.ReadAsync(limit.Token);
                if (resumed && !heardAgain)
                {
                    heardAgain = true;
                    limit.CancelAfter(timeout);
                }
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
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !resumed)
        {
            // Lost: nothing the device could act on arrived in time.
        }
        catch (ChannelClosedException) when (!resumed)
        {
            // The connection closed under the turn (a gateway restarting): the device reconnects at once, resuming its
            // session, and waits a little for the rest of the reply.
            await EnsureConnectedAsync(cancellationToken);
            record.Resumed = true;
            await ListenAsync(record, timeout, cancellationToken, resumed: true);
        }
        catch (Exception ex) when (ex is ChannelClosedException || resumed && ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Nothing more came on the new connection either: the device knows it lost the reply, and says it again.
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

    /// <summary>The connection was lost during the turn and the device resumed its session on a new one.</summary>
    public bool Resumed { get; set; }
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
