namespace Tutor.Contracts.Redis;

/// <summary>The fields of <see cref="RedisKeys.XiaozhiActivation"/> and <see cref="RedisKeys.XiaozhiBinding"/> records.</summary>
public static class XiaozhiFields
{
    /// <summary>The SHA-256 of the device's Client-Id: only the device that was bound may use its binding (binding only).</summary>
    public const string Client = "client";

    /// <summary>The pairing code the device shows and speaks (activation only).</summary>
    public const string Code = "code";

    /// <summary>The challenge the device echoes when it polls for activation (activation only).</summary>
    public const string Challenge = "challenge";

    /// <summary>The child the device is bound to (binding only).</summary>
    public const string UserId = "user_id";

    /// <summary>The id of the device secret the binding issued, to see whether a parent has revoked it (binding only).</summary>
    public const string SecretId = "secret_id";
}
