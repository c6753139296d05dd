using System.Net.WebSockets;

namespace Tutor.Gateway.Devices;

/// <summary>How the gateway closes a device's socket: the close code and its description.</summary>
public sealed record CloseReason(WebSocketCloseStatus Status, string Description)
{
    public static readonly CloseReason Bye = new(WebSocketCloseStatus.NormalClosure, "bye");

    /// <summary>RFC 6455's 1012 "service restart": the device should reconnect after a short, random delay.</summary>
    public static readonly CloseReason ServerRestarting = new((WebSocketCloseStatus)1012, "server restarting; reconnect");
}
