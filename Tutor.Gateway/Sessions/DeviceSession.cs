using Tutor.Contracts.Devices;
using Tutor.Contracts.Families;

namespace Tutor.Gateway.Sessions;

/// <summary>
/// One connected device: what the gateway and the workers know it by. <paramref name="Child"/> is the child's profile as
/// it was when the device connected, without device secrets (the session record carries it to the workers).
/// </summary>
/// <param name="Delivered">
/// The last reply-stream entry the device has had: for a resumed session, what its earlier connection relayed; the relay
/// goes on after it.
/// </param>
/// <param name="Resumed">Whether this connection took over a session an earlier connection of the device left.</param>
public sealed record DeviceSession(string SessionId, string UserId, AudioParams Uplink, ChildProfile Child, string Delivered = "0-0",
    bool Resumed = false)
{
    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;
}
