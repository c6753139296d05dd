using Tutor.Contracts.Devices;

namespace Tutor.Gateway.Sessions;

/// <summary>One connected device: what the gateway and the workers know it by.</summary>
public sealed record DeviceSession(string SessionId, string UserId, AudioParams Uplink);
