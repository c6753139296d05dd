namespace Tutor.Gateway.Devices;

/// <summary>
/// Published on <see cref="Tutor.Contracts.Redis.Channels.DeviceEvictions"/>: close every connection of this device
/// except <paramref name="KeptConnection"/>, telling it <paramref name="Code"/> (<c>replaced</c>, <c>device_revoked</c>).
/// <paramref name="KeptSession"/> is the session the new connection holds: an evicted connection of that same session
/// leaves it as it is, since it now lives on the new connection.
/// </summary>
public sealed record DeviceEviction(string UserId, string DeviceId, string Code, string? KeptConnection = null, string? KeptSession = null);
