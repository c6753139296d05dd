using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Pairing;

/// <summary>
/// The six-digit codes of devices waiting to be paired, in Redis so a parent's page may reach any gateway: made unique
/// (SET NX), single-use (claimed once, by one parent, atomically), and gone when they expire.
/// </summary>
public sealed class PairingCodes(IConnectionMultiplexer redis, IOptions<PairingOptions> options)
{
    /// <summary>The <see cref="Families.SignInThrottle"/> account that counts the codes given to one address, whoever asks for them.</summary>
    public const string ThrottleAccount = "pairing";

    // Only a waiting code is claimed; 1 claimed now, 0 already claimed, -1 no such code.
    private static readonly LuaScript Claim = LuaScript.Prepare("""
        local status = redis.call('HGET', @key, @statusField)
        if not status then return -1 end
        if status ~= @waiting then return 0 end
        redis.call('HSET', @key, @statusField, @claimed, @userField, @userId)
        return 1
        """);

    private static readonly LuaScript Deliver = LuaScript.Prepare("""
        if redis.call('EXISTS', @key) == 0 then return 0 end
        redis.call('HSET', @key, @tokenField, @token)
        return 1
        """);

    /// <summary>A new code for a waiting device.</summary>
    public async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        while (true)
        {
            var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            var transaction = db.CreateTransaction();
            transaction.AddCondition(Condition.KeyNotExists(RedisKeys.Pairing(code)));
            _ = transaction.HashSetAsync(RedisKeys.Pairing(code), PairingFields.Status, PairingFields.Waiting);
            _ = transaction.KeyExpireAsync(RedisKeys.Pairing(code), options.Value.CodeLifetime);
            if (await transaction.ExecuteAsync().WaitAsync(cancellationToken)) return code;
        }
    }

    public async Task<ClaimResult> ClaimAsync(string code, string userId, CancellationToken cancellationToken) =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(Claim, new
        {
            key = (RedisKey)RedisKeys.Pairing(code),
            statusField = PairingFields.Status,
            waiting = PairingFields.Waiting,
            claimed = PairingFields.Claimed,
            userField = PairingFields.UserId,
            userId,
        }).WaitAsync(cancellationToken) switch
        {
            1 => ClaimResult.Claimed,
            0 => ClaimResult.AlreadyClaimed,
            _ => ClaimResult.NoSuchCode,
        };

    /// <summary>Leaves the device's secret for its waiting connection; false when the code expired meanwhile.</summary>
    public async Task<bool> DeliverAsync(string code, string token, CancellationToken cancellationToken) =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(Deliver, new
        {
            key = (RedisKey)RedisKeys.Pairing(code),
            tokenField = PairingFields.Token,
            token,
        }).WaitAsync(cancellationToken) == 1;

    /// <summary>What a waiting connection looks at: gone (expired), waiting, or claimed with the child and secret.</summary>
    public async Task<(bool Exists, string? UserId, string? Token)> ReadAsync(string code, CancellationToken cancellationToken)
    {
        var fields = await redis.GetDatabase().HashGetAsync(RedisKeys.Pairing(code), [PairingFields.Status, PairingFields.UserId, PairingFields.Token])
            .WaitAsync(cancellationToken);
        return (!fields[0].IsNull, fields[1], fields[2]);
    }

    /// <summary>The code is used up (handed over) or abandoned (its device left).</summary>
    public Task ForgetAsync(string code) => redis.GetDatabase().KeyDeleteAsync(RedisKeys.Pairing(code));
}

public enum ClaimResult { Claimed, AlreadyClaimed, NoSuchCode }
