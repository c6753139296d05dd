using System.Net.WebSockets;
using System.Text;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Gateway.Devices;
using Tutor.Gateway.Downlink;

namespace Tutor.Gateway.Uplink;

/// <summary>
/// What the device says, as docs/device-protocol.md defines it: the optional <c>hello</c> (first, once: it sets the audio
/// format both ways), <c>listen</c> start / stop / detect, <c>abort</c>, and binary audio for the
/// <see cref="UtteranceIntake"/>. Anything else gets an error frame; only an unsupported format closes the socket.
/// </summary>
public sealed class DeviceProtocol(DeviceLink link, UtteranceIntake intake, ILogger<DeviceProtocol> logger)
{
    private bool _negotiated;

    /// <summary>
    /// A binary frame: audio in the format agreed (PCM16 when the device sent no hello). An empty frame is how xiaozhi's
    /// web clients mark the end of a recording: it ends a push-to-talk utterance as <c>listen stop</c> would, and is
    /// ignored otherwise (voice activity ends the utterance).
    /// </summary>
    public Task HearAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (frame.IsEmpty) return intake.EndOfRecordingAsync(cancellationToken);
        _negotiated = true;
        return intake.HearAsync(frame, cancellationToken);
    }

    /// <summary>A text frame; returns how to close the connection, or null to go on.</summary>
    public async Task<CloseReason?> HandleAsync(ReadOnlyMemory<byte> text, CancellationToken cancellationToken)
    {
        var message = TutorJson.TryDeserialize<DeviceMessage>(Encoding.UTF8.GetString(text.Span));
        if (message?.Type is null)
        {
            await link.SendErrorAsync(DeviceErrorCodes.InvalidJson, "A text frame must be a JSON object with a \"type\".", cancellationToken);
            return null;
        }

        switch (message.Type)
        {
            case DeviceMessageTypes.Hello:
                return await GreetAsync(message, cancellationToken);
            case DeviceMessageTypes.Listen when message.State == ListenStates.Start:
                _negotiated = true;
                intake.Start(message.Mode);
                break;
            case DeviceMessageTypes.Listen when message.State == ListenStates.Stop:
                _negotiated = true;
                await intake.StopAsync(cancellationToken);
                break;
            case DeviceMessageTypes.Listen when message.State == ListenStates.Detect:
                break; // a wake word the device heard; nothing to do here
            case DeviceMessageTypes.Abort:
                logger.Aborted(await link.AbortTurnsAsync(interrupt: true, cancellationToken), message.Reason ?? "no reason given");
                break;
            default:
                await link.SendErrorAsync(DeviceErrorCodes.UnknownType,
                    $"Unknown message type '{Truncate(message.Type)}'{(message.State is null ? "" : $" with state '{Truncate(message.State)}'")}.",
                    cancellationToken);
                break;
        }
        return null;
    }

    private async Task<CloseReason?> GreetAsync(DeviceMessage hello, CancellationToken cancellationToken)
    {
        if (_negotiated)
        {
            await link.SendErrorAsync(DeviceErrorCodes.UnexpectedHello, "hello must be the first message; the audio format is already set.", cancellationToken);
            return null;
        }

        var (audio, error) = AudioNegotiation.Negotiate(hello);
        if (audio is null)
        {
            await link.SendErrorAsync(DeviceErrorCodes.UnsupportedAudio, error!, cancellationToken);
            return new CloseReason(WebSocketCloseStatus.InvalidPayloadData, "unsupported audio");
        }

        _negotiated = true;
        intake.Use(audio);
        link.Player.Use(new DownlinkEncoder(audio));
        await link.Sender.SendAsync(DeviceMessage.ServerHello(link.Session.SessionId, audio), cancellationToken);
        logger.Negotiated(audio.Format, audio.FrameMilliseconds);
        return null;
    }

    private static string Truncate(string value) => value.Length <= 32 ? value : value[..32] + "…";
}
