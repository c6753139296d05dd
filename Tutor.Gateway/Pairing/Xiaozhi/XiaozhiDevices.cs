using StackExchange.Redis;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Pairing.Xiaozhi;

/// <summary>
/// What the gateways remember of xiaozhi devices, in Redis so any gateway answers any check-in: the activation under way
/// (its code and challenge, gone with the code), the binding to a child (kept until the secret is revoked), and the new
/// secret for the delivery window only.
/// </summary>
public sealed class XiaozhiDevices(IConnectionMultiplexer redis)
{
    public sealed record Activation(string Code, string Challenge, TimeSpan ExpiresIn = default);

    public sealed record Binding(string ClientHash, string UserId, string SecretId);

    public async Task<Activation?> FindActivationAsync(XiaozhiDevice device, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var key = RedisKeys.XiaozhiActivation(device.DeviceId, device.ClientHash);
        var read = db.HashGetAsync(key, [XiaozhiFields.Code, XiaozhiFields.Challenge]);
        var expiresIn = db.KeyTimeToLiveAsync(key);
        var fields = await read.WaitAsync(cancellationToken);
        return fields.Any(f => f.IsNull) ? null : new Activation(fields[0]!, fields[1]!, await expiresIn.WaitAsync(cancellationToken) ?? TimeSpan.Zero);
    }

    public async Task StartActivationAsync(XiaozhiDevice device, Activation activation, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var transaction = redis.GetDatabase().CreateTransaction();
        var key = RedisKeys.XiaozhiActivation(device.DeviceId, device.ClientHash);
        _ = transaction.KeyDeleteAsync(key);
        _ = transaction.HashSetAsync(key,
        [
            new(XiaozhiFields.Code, activation.Code),
            new(XiaozhiFields.Challenge, activation.Challenge),
        ]);
        _ = transaction.KeyExpireAsync(key, lifetime);
        await transaction.ExecuteAsync().WaitAsync(cancellationToken);
    }

    public async Task<Binding?> FindBindingAsync(string deviceId, CancellationToken cancellationToken)
    {
        var fields = await redis.GetDatabase().HashGetAsync(RedisKeys.XiaozhiBinding(deviceId),
            [XiaozhiFields.Client, XiaozhiFields.UserId, XiaozhiFields.SecretId]).WaitAsync(cancellationToken);
        return fields.Any(f => f.IsNull) ? null : new Binding(fields[0]!, fields[1]!, fields[2]!);
    }

    /// <summary>Binds the device (the activation is over) and keeps its secret for <paramref name="deliveryWindow"/>.</summary>
    public async Task BindAsync(XiaozhiDevice device, string userId, string secretId, string token, TimeSpan deliveryWindow, CancellationToken cancellationToken)
    {
        var transaction = redis.GetDatabase().CreateTransaction();
        var key = RedisKeys.XiaozhiBinding(device.DeviceId);
        _ = transaction.KeyDeleteAsync(key);
        _ = transaction.HashSetAsync(key,
        [
            new(XiaozhiFields.Client, device.ClientHash),
            new(XiaozhiFields.UserId, userId),
            new(XiaozhiFields.SecretId, secretId),
        ]);
        _ = transaction.StringSetAsync(RedisKeys.XiaozhiToken(device.DeviceId), token, deliveryWindow);
        _ = transaction.KeyDeleteAsync(RedisKeys.XiaozhiActivation(device.DeviceId, device.ClientHash));
        await transaction.ExecuteAsync().WaitAsync(cancellationToken);
    }

    /// <summary>The bound device's secret while the delivery window lasts, else null (the device has it).</summary>
    public async Task<string?> TokenAsync(string deviceId, CancellationToken cancellationToken) =>
        await redis.GetDatabase().StringGetAsync(RedisKeys.XiaozhiToken(deviceId)).WaitAsync(cancellationToken);

    /// <summary>The binding is over (its secret was revoked, or its child deleted): the device will be asked to activate again.</summary>
    public Task ForgetBindingAsync(string deviceId, CancellationToken cancellationToken) =>
        redis.GetDatabase().KeyDeleteAsync([RedisKeys.XiaozhiBinding(deviceId), RedisKeys.XiaozhiToken(deviceId)]).WaitAsync(cancellationToken);

    public Task ForgetActivationAsync(XiaozhiDevice device, CancellationToken cancellationToken) =>
        redis.GetDatabase().KeyDeleteAsync(RedisKeys.XiaozhiActivation(device.DeviceId, device.ClientHash)).WaitAsync(cancellationToken);
}
