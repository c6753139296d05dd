using Tutor.Contracts.Devices;
using Tutor.Contracts.Families;

namespace Tutor.Gateway.Sessions;

/// <summary>
/// One connected device: what the gateway and the workers know it by. <paramref name="Child"/> is the child's profile as
/// it was when the device connected, without device secrets (the session record carries it to the workers).
/// </summary>
public sealed record DeviceSession(string SessionId, string UserId, AudioParams Uplink, ChildProfile Child)
{
    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;
}
