namespace Tutor.Contracts.Redis;

/// <summary>The fields of the <see cref="RedisKeys.Session"/> hash.</summary>
public static class SessionFields
{
    public const string UserId = "user_id";
    public const string Gateway = "gateway";
    public const string ConnectedAt = "connected_at";
    /// <summary>The uplink PCM sample rate, in Hz.</summary>
    public const string SampleRate = "sample_rate";
    /// <summary>The uplink channel count.</summary>
    public const string Channels = "channels";
    /// <summary>The child's profile as it was when the device connected (JSON <see cref="Families.ChildProfile"/> without device secrets).</summary>
    public const string Profile = "profile";
    /// <summary>The last entry of the session's reply stream relayed to the device: a device that reconnects and resumes the session gets what came after it.</summary>
    public const string Delivered = "delivered";
}
