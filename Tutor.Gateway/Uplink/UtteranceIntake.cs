using System.Diagnostics;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Redis;
using Tutor.Contracts.Transcripts;
using Tutor.Gateway.Devices;
using Tutor.Gateway.Uplink.Listening;
using Tutor.Gateway.Uplink.Utterances;

namespace Tutor.Gateway.Uplink;

/// <summary>
/// The device's audio on its way to the workers: each frame decoded to PCM16 16 kHz, heard by the connection's
/// <see cref="Listener"/> (push-to-talk or voice activity), and each utterance it finds stored and announced. An
/// utterance that cannot be taken (too short, too many awaiting, Redis down) is answered with an error at once.
/// </summary>
public sealed class UtteranceIntake : IDisposable
{
    private readonly DeviceLink _link;
    private readonly Listener _listener;
    private readonly UtterancePublisher _utterances;
    private readonly DeviceOptions _limits;
    private readonly ILogger _logger;
    private UplinkDecoder _decoder = new(AudioParams.Pcm16Mono16k);

    public UtteranceIntake(DeviceLink link, SileroVadModel vad, IOptions<ListeningOptions> listening, UtterancePublisher utterances,
        IOptions<DeviceOptions> limits, ILogger<UtteranceIntake> logger)
    {
        _link = link;
        _listener = new Listener(new SpeechDetector(vad, listening.Value), listening.Value);
        _utterances = utterances;
        _limits = limits.Value;
        _logger = logger;
    }

    /// <summary>The device's audio format from now on (its hello).</summary>
    public void Use(AudioParams uplink) => _decoder = new UplinkDecoder(uplink);

    /// <summary>One binary frame of the device's audio.</summary>
    public async Task HearAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> pcm;
        try
        {
            pcm = _decoder.Decode(frame);
        }
        catch (InvalidDataException ex)
        {
            await _link.SendErrorAsync(DeviceErrorCodes.BadAudio, $"{ex.Message} Audio must be {_decoder.Format.Format}, 16 kHz mono.", cancellationToken);
            return;
        }

        foreach (var utterance in _listener.Hear(pcm)) await PublishAsync(utterance, cancellationToken);
    }

    /// <summary><c>listen start</c>: a new utterance begins, pushed to talk (<c>manual</c>) or found by voice activity.</summary>
    public void Start(string? mode) => _listener.Start(mode);

    /// <summary><c>listen stop</c>: the utterance in progress, if any, is complete.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var utterance in _listener.Stop()) await PublishAsync(utterance, cancellationToken);
    }

    /// <summary>An empty binary frame: ends a push-to-talk utterance; nothing in voice-activity mode.</summary>
    public Task EndOfRecordingAsync(CancellationToken cancellationToken) =>
        _listener.Mode == ListenModes.Manual ? StopAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>Hands the utterance to the workers; if Redis cannot take it, the device is told to say it again.</summary>
    private async Task PublishAsync(DetectedUtterance utterance, CancellationToken cancellationToken)
    {
        if (utterance.End == UtteranceEnd.TooShort)
        {
            await _link.SendErrorAsync(DeviceErrorCodes.UtteranceTooShort,
                $"An utterance must be at least {_listener.MinimumUtterance.TotalMilliseconds:0} ms long; this one is not answered.", cancellationToken);
            return;
        }
        if (_link.Turns.AwaitingCount >= _limits.MaxTurnsAwaiting)
        {
            await _link.SendErrorAsync(DeviceErrorCodes.TooManyTurns,
                $"At most {_limits.MaxTurnsAwaiting} utterances may await their answers; this one is not answered. Wait for the tutor, or abort.",
                cancellationToken);
            return;
        }

        var session = _link.Session;
        var audioKey = RedisKeys.NewUtteranceAudio(session.SessionId);
        var turnId = RedisKeys.TurnIdOf(audioKey);
        // The turn's own trace from here on (this method's flow only): the announcement carries it to the worker.
        Activity.Current = _link.Turns.Started(turnId);
        try
        {
            if (utterance.End == UtteranceEnd.MaxLength) _logger.UtteranceCut();
            await _utterances.PublishAsync(session, audioKey, utterance.Audio, cancellationToken);
            await _link.SetStateAsync(DeviceStates.Thinking);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            _link.Turns.Failed(turnId, DeviceErrorCodes.UtteranceNotStored);
            _link.Turns.Finished(turnId);
            RedisFailures.Record(_logger, ex, "storing an utterance");
            await _link.SendErrorAsync(DeviceErrorCodes.UtteranceNotStored, "The utterance could not be stored; please say it again.", cancellationToken);
        }
    }

    public void Dispose() => _listener.Dispose();
}
