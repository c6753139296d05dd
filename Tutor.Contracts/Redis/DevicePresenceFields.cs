namespace Tutor.Contracts.Redis;

/// <summary>The fields of <see cref="RedisKeys.DevicePresence"/>: the device id holds its state, and one more its last-seen time.</summary>
public static class DevicePresenceFields
{
    /// <summary>When the device was last seen, in Unix milliseconds.</summary>
    public static string SeenAt(string deviceId) => $"{deviceId}:seen";
}
