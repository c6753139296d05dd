using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Tutor.Gateway.Families;

namespace Tutor.Gateway.Pairing.Xiaozhi;

/// <summary>
/// Binding a xiaozhi device to a child with the activation code its firmware shows and speaks. The code is a pairing code
/// (<see cref="PairingCodes"/>): the parent enters it on the parents' page exactly as for a Tutor device, and the secret
/// pairing issues is left in the code's record. Instead of a waiting WebSocket, the device polls
/// (<c>/xiaozhi/ota/activate</c>, then its next check-in) and takes the secret from there as xiaozhi's <c>websocket.token</c>.
/// </summary>
public sealed class XiaozhiActivation(XiaozhiDevices devices, PairingCodes codes, ProfileStore profiles, SignInThrottle throttle,
    IOptions<PairingOptions> pairing, IOptions<XiaozhiOptions> options, ILogger<XiaozhiActivation> logger)
{
    /// <summary>A check-in: the device is bound (its child, and its secret while the delivery window lasts), or gets a code.</summary>
    public async Task<CheckIn> CheckInAsync(XiaozhiDevice device, string address, CancellationToken cancellationToken)
    {
        if (await BoundAsync(device, cancellationToken) is { } bound) return bound;

        if (await devices.FindActivationAsync(device, cancellationToken) is { } activation)
        {
            var (result, finished) = await FinishAsync(device, activation, cancellationToken);
            if (result == ActivationResult.Activated) return finished!;
            if (result == ActivationResult.Waiting) return CheckIn.Activating(activation.Code, activation.Challenge, activation.ExpiresIn);
        }

        var limits = pairing.Value;
        if (!await throttle.TryCountAsync(address, PairingCodes.ThrottleAccount, limits.MaxCodesPerAddress, limits.CodeWindow, cancellationToken))
        {
            return new CheckIn(CheckInResult.TooManyCodes);
        }
        var code = await codes.CreateAsync(cancellationToken);
        var challenge = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await devices.StartActivationAsync(device, new XiaozhiDevices.Activation(code, challenge), limits.CodeLifetime,
            cancellationToken);
        logger.XiaozhiActivating(device.DeviceId, limits.CodeLifetime);
        return CheckIn.Activating(code, challenge, limits.CodeLifetime);
    }

    /// <summary>The firmware's poll after showing the code: waiting until a parent enters it, then activated.</summary>
    public async Task<ActivationResult> ActivateAsync(XiaozhiDevice device, string? challenge, CancellationToken cancellationToken)
    {
        // The firmware may poll once more after it was activated, or after a lost answer.
        if (await BoundAsync(device, cancellationToken) is not null) return ActivationResult.Activated;

        var activation = await devices.FindActivationAsync(device, cancellationToken);
        if (activation is null) return ActivationResult.NotActivating;
        if (challenge is not null && challenge != activation.Challenge) return ActivationResult.WrongChallenge;
        return (await FinishAsync(device, activation, cancellationToken)).Result;
    }

    /// <summary>A bound device whose secret still stands; a binding whose secret was revoked (or child deleted) ends here.</summary>
    private async Task<CheckIn?> BoundAsync(XiaozhiDevice device, CancellationToken cancellationToken)
    {
        var binding = await devices.FindBindingAsync(device.DeviceId, cancellationToken);
        if (binding is null || binding.ClientHash != device.ClientHash) return null;

        var child = await profiles.FindAsync(binding.UserId, cancellationToken);
        if (child?.DeviceSecrets.Any(s => s.Id == binding.SecretId && !s.Revoked) != true)
        {
            await devices.ForgetBindingAsync(device.DeviceId, cancellationToken);
            logger.XiaozhiUnbound(device.DeviceId, binding.UserId);
            return null;
        }
        return CheckIn.Bound(binding.UserId, await devices.TokenAsync(device.DeviceId, cancellationToken));
    }

    /// <summary>Looks whether a parent entered the code; if so, binds the device and keeps its secret for the delivery window.</summary>
    private async Task<(ActivationResult Result, CheckIn? Bound)> FinishAsync(XiaozhiDevice device, XiaozhiDevices.Activation activation,
        CancellationToken cancellationToken)
    {
        var (exists, userId, token) = await codes.ReadAsync(activation.Code, cancellationToken);
        if (!exists)
        {
            await devices.ForgetActivationAsync(device, cancellationToken);
            return (ActivationResult.Expired, null);
        }
        if (userId is null || token is null) return (ActivationResult.Waiting, null);

        await devices.BindAsync(device, userId, DeviceTokens.DeviceIdOf(token), token, options.Value.TokenDeliveryWindow, cancellationToken);
        await codes.ForgetAsync(activation.Code); // single use; the secret now waits in the binding's delivery window only
        logger.XiaozhiBound(device.DeviceId, userId);
        return (ActivationResult.Activated, CheckIn.Bound(userId, token));
    }
}

public enum CheckInResult { Bound, Activating, TooManyCodes }

/// <summary>What a check-in found: <see cref="UserId"/> and <see cref="Token"/> when bound; the code and challenge when activating.</summary>
public sealed record CheckIn(CheckInResult Result, string? UserId = null, string? Token = null, string? Code = null, string? Challenge = null,
    TimeSpan ExpiresIn = default)
{
    public static CheckIn Bound(string userId, string? token) => new(CheckInResult.Bound, userId, token);

    public static CheckIn Activating(string code, string challenge, TimeSpan expiresIn) =>
        new(CheckInResult.Activating, Code: code, Challenge: challenge, ExpiresIn: expiresIn);
}

public enum ActivationResult { Activated, Waiting, NotActivating, WrongChallenge, Expired }
