using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using System.Text;
using StackExchange.Redis;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Families;
using Tutor.Contracts.Messages;
using Tutor.Contracts.Redis;
using Tutor.Gateway.Devices;
using Tutor.Gateway.Families;
using Tutor.Gateway.Sessions;
using Tutor.Gateway.Uplink;
using Tutor.Gateway.Downlink;

namespace Tutor.Gateway.Pairing;

/// <summary>
/// An unpaired device's connection on <c>/ws/pair</c> (docs/device-protocol.md, "Pairing"): the optional hello sets
/// the audio format; <c>pair</c> gets a six-digit code, sent as text and spoken by a worker like any reply; when a
/// parent enters the code, the device receives its child's user id and its secret here and the connection closes. The
/// code expires with <c>pairing_expired</c>; asking again gets a new one. Frames are read by the device connection's
/// <see cref="FrameReader"/> and replies played by its <see cref="ReplyPlayer"/>; what is here is pairing's own dialogue.
/// Over 200 lines because that dialogue's steps (hello, code, expiry, asking again, the parent's answer, the close) share
/// one connection's state and read best in order.
/// </summary>
public sealed class PairingConnection(
    WebSocket socket, string address, PairingCodes codes, SignInThrottle throttle, ReplyRelay replies, IConnectionMultiplexer redis,
    IOptions<DeviceOptions> deviceOptions, IOptions<PairingOptions> pairingOptions, ILogger<PairingConnection> logger)
{
    /// <summary>Made once per connection by <see cref="PairingApi"/>: the socket and the caller's address, the rest from the services.</summary>
    public static readonly ObjectFactory<PairingConnection> Create =
        ActivatorUtilities.CreateFactory<PairingConnection>([typeof(WebSocket), typeof(string)]);

    private const int MaxMessageBytes = 4096;
    private readonly DeviceOptions limits = deviceOptions.Value;
    private readonly PairingOptions options = pairingOptions.Value;
    private static readonly ChildProfile Nobody = new("pairing", "", null, null, null, null, [], []);

    private readonly DeviceSender _device = new(socket, deviceOptions.Value.SendQueueFrames);
    private readonly TurnTracker _turns = new();
    // Pairing takes only small text messages: the device's rates, but frames of at most MaxMessageBytes.
    private readonly FrameReader _reader = new(socket, FrameLimits.Of(deviceOptions.Value) with { MaxFrameBytes = MaxMessageBytes });
    private readonly DeviceSession _session = new(Guid.NewGuid().ToString("N"), Nobody.UserId, AudioParams.Pcm16Mono16k, Nobody);
    private ReplyPlayer? _player;
    private volatile string? _code;
    private bool _greeted;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _player = new ReplyPlayer(_device, new DownlinkEncoder(AudioParams.Pcm16Mono16k), _turns, limits.ReplyPreBuffer, (_, _) => Task.CompletedTask);
        var relay = Task.CompletedTask;
        var watch = Task.CompletedTask;
        try
        {
            relay = await replies.StartAsync(_session, _player, _turns, connection.Token);
            watch = WatchCodeAsync(connection.Token);
            await ReceiveAsync(connection.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The device left.
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            RedisFailures.Record(logger, ex, "pairing a device");
            await CloseAsync(WebSocketCloseStatus.InternalServerError, "service unavailable", CancellationToken.None);
        }
        finally
        {
            await _player.DisposeAsync();
            await connection.CancelAsync();
            await Task.WhenAll(relay, watch).ContinueWith(_ => { }, TaskScheduler.Default);
            await _device.DisposeAsync();
            _reader.Dispose();
            if (_code is { } code) await IgnoreRedisFailureAsync(() => codes.ForgetAsync(code));
        }
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await _reader.ReadAsync(cancellationToken);
            if (frame.Breach is { } breach)
            {
                await SendErrorAsync(breach.Code, breach.Message, cancellationToken);
                await CloseAsync(breach.Close.Status, breach.Close.Description, cancellationToken);
                return;
            }
            if (frame.Type == WebSocketMessageType.Close) return;
            if (frame.Type == WebSocketMessageType.Binary) continue; // a microphone left on: nothing to hear here

            var message = TutorJson.TryDeserialize<DeviceMessage>(Encoding.UTF8.GetString(frame.Payload.Span));
            switch (message?.Type)
            {
                case null:
                    await SendErrorAsync(DeviceErrorCodes.InvalidJson, "A text frame must be a JSON object with a \"type\".", cancellationToken);
                    break;
                case DeviceMessageTypes.Hello when !_greeted:
                    if (!await GreetAsync(message, cancellationToken)) return;
                    break;
                case DeviceMessageTypes.Pair when message.State is null or PairStates.Start:
                    _greeted = true;
                    if (!await IssueCodeAsync(cancellationToken)) return;
                    break;
                case DeviceMessageTypes.Hello:
                    await SendErrorAsync(DeviceErrorCodes.UnexpectedHello, "hello must be the first message.", cancellationToken);
                    break;
                default:
                    await SendErrorAsync(DeviceErrorCodes.UnknownType, "This endpoint takes hello and pair only (docs/device-protocol.md, \"Pairing\").", cancellationToken);
                    break;
            }
        }
    }

    private async Task<bool> GreetAsync(DeviceMessage hello, CancellationToken cancellationToken)
    {
        _greeted = true;
        var (audio, error) = AudioNegotiation.Negotiate(hello);
        if (audio is null)
        {
            await SendErrorAsync(DeviceErrorCodes.UnsupportedAudio, error!, cancellationToken);
            await CloseAsync(WebSocketCloseStatus.InvalidPayloadData, "unsupported audio", cancellationToken);
            return false;
        }
        _player!.Use(new DownlinkEncoder(audio));
        await _device.SendAsync(DeviceMessage.ServerHello(_session.SessionId, audio), cancellationToken);
        return true;
    }

    /// <summary>A new code (the old one, if any, is given up), sent as text and spoken; false when this address asked too often.</summary>
    private async Task<bool> IssueCodeAsync(CancellationToken cancellationToken)
    {
        if (!await throttle.TryCountAsync(address, PairingCodes.ThrottleAccount, options.MaxCodesPerAddress, options.CodeWindow, cancellationToken))
        {
            await SendErrorAsync(DeviceErrorCodes.RateLimited,
                $"At most {options.MaxCodesPerAddress} pairing codes per {options.CodeWindow.TotalMinutes:0} minutes from one address.", cancellationToken);
            await CloseAsync(WebSocketCloseStatus.PolicyViolation, "too many codes", cancellationToken);
            return false;
        }
        if (_code is { } old) await codes.ForgetAsync(old);
        var code = await codes.CreateAsync(cancellationToken);
        _code = code;
        logger.Waiting(_session.SessionId, options.CodeLifetime);
        await _device.SendAsync(DeviceMessage.PairCode(code, (int)options.CodeLifetime.TotalSeconds), cancellationToken);
        await AnnounceAsync(SpokenCode.For(code, options.Language), cancellationToken);
        return true;
    }

    /// <summary>Asks a worker to say <paramref name="text"/> on this connection, as a reply.</summary>
    private async Task AnnounceAsync(string text, CancellationToken cancellationToken)
    {
        var turnId = Guid.NewGuid().ToString();
        _turns.Started(turnId);
        var db = redis.GetDatabase();
        await db.StreamAddAsync(Channels.Announcements,
        [
            new(AnnouncementFields.SessionId, _session.SessionId),
            new(AnnouncementFields.TurnId, turnId),
            new(AnnouncementFields.Text, text),
            new(AnnouncementFields.Language, options.Language),
        ], maxLength: 10_000, useApproximateMaxLength: true).WaitAsync(cancellationToken);
        await db.PublishAsync(RedisChannel.Literal(Channels.AnnouncementsWake), _session.SessionId).WaitAsync(cancellationToken);
    }

    /// <summary>Hands the secret over once a parent has entered the code, or says the code expired.</summary>
    private async Task WatchCodeAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.CheckInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            if (_code is not { } code) continue;
            try
            {
                var (exists, userId, token) = await codes.ReadAsync(code, cancellationToken);
                if (exists && token is null) continue;
                _code = null;
                if (exists && userId is not null && token is not null)
                {
                    await codes.ForgetAsync(code); // single use, and the secret does not stay in Redis
                    logger.Paired(_session.SessionId, userId);
                    await _device.SendAsync(DeviceMessage.Paired(userId, token), cancellationToken);
                    await CloseAsync(WebSocketCloseStatus.NormalClosure, "paired", cancellationToken);
                }
                else
                {
                    await SendErrorAsync(DeviceErrorCodes.PairingExpired, "Nobody entered the code in time; ask for a new one.", cancellationToken);
                    await CloseAsync(WebSocketCloseStatus.NormalClosure, "pairing expired", cancellationToken);
                }
                return;
            }
            catch (Exception ex) when (ex.IsRedisFailure())
            {
                RedisFailures.Record(logger, ex, "watching a pairing code");
            }
        }
    }

    private ValueTask SendErrorAsync(string code, string message, CancellationToken cancellationToken)
    {
        logger.PairingError(code, message);
        return _device.SendAsync(DeviceMessage.Error(code, message), cancellationToken);
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string description, CancellationToken cancellationToken)
    {
        try
        {
            using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            closing.CancelAfter(TimeSpan.FromSeconds(5));
            await _device.CloseAsync(status, description, closing.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    private async Task IgnoreRedisFailureAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.ForgetFailed(ex);
        }
    }
}
