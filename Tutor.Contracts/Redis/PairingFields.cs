namespace Tutor.Contracts.Redis;

/// <summary>The fields of a <see cref="RedisKeys.Pairing"/> record.</summary>
public static class PairingFields
{
    /// <summary><see cref="Waiting"/> until a parent enters the code, then <see cref="Claimed"/>.</summary>
    public const string Status = "status";
    public const string Waiting = "waiting";
    public const string Claimed = "claimed";

    /// <summary>The child the parent paired the device with.</summary>
    public const string UserId = "user_id";

    /// <summary>The device's new secret, kept only until the waiting connection hands it over (seconds at most).</summary>
    public const string Token = "token";
}
