using System.Net.WebSockets;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;

namespace Tutor.Device;

/// <summary>
/// The device's side of pairing (docs/device-protocol.md, "Pairing"): on <c>/ws/pair</c> it asks for a code, speaks
/// it (here: reports what it hears, text and audio) and waits until a parent enters it; then it has its child's user id
/// and its own secret, which it keeps in a file and uses from then on.
/// </summary>
public static class DevicePairing
{
    /// <param name="onCode">Called with the code as soon as it arrives, and with each sentence the device then says.</param>
    public static async Task<PairedDevice> PairAsync(Uri gateway, DeviceProfile profile, Func<string, Task> onCode, Func<string, Task> onSpoken,
        CancellationToken cancellationToken)
    {
        await using var device = await DeviceClient.ConnectAsync(gateway, "pair", token: null, profile, cancellationToken);
        await device.SendAsync(DeviceMessage.PairStart(), cancellationToken);
        while (true)
        {
            var frame = await device.ReceiveAsync(cancellationToken)
                ?? throw new WebSocketException($"The gateway closed the pairing connection ({device.CloseStatus}) before a parent entered the code.");
            if (frame.Text is null) continue; // the spoken code's audio: a real device plays it
            var message = TutorJson.TryDeserialize<DeviceMessage>(frame.Text) ?? throw new InvalidDataException($"Unreadable frame: {frame.Text}");
            switch (message)
            {
                case { Type: DeviceMessageTypes.Pair, State: PairStates.Code, Code: { } code }:
                    await onCode(code);
                    break;
                case { Type: DeviceMessageTypes.Tts, State: TtsStates.SentenceStart, Text: { } sentence }:
                    await onSpoken(sentence);
                    break;
                case { Type: DeviceMessageTypes.Pair, State: PairStates.Paired, UserId: { } userId, Token: { } token }:
                    return new PairedDevice(userId, token);
                case { Type: DeviceMessageTypes.Error }:
                    throw new InvalidOperationException($"Pairing failed ({message.Code}): {message.Message}");
            }
        }
    }
}

/// <summary>What pairing gives a device: whose it is and its secret. Kept as two lines in a file.</summary>
public sealed record PairedDevice(string UserId, string Token)
{
    public async Task SaveAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllLinesAsync(path, [UserId, Token], cancellationToken);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public static async Task<PairedDevice?> LoadAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path) && await File.ReadAllLinesAsync(path, cancellationToken) is [var userId, var token, ..] ? new PairedDevice(userId, token) : null;
}
