using Tutor.Contracts.Devices;
using Tutor.Contracts.Messages;
using Tutor.Device;

namespace Tutor.Tests.Infrastructure;

public static class DeviceMessages
{
    /// <summary>The next JSON message the device receives (audio frames skipped); fails if the gateway closes first.</summary>
    public static async Task<DeviceMessage> NextMessageAsync(this DeviceClient device, CancellationToken cancellationToken, string? what = null)
    {
        while (true)
        {
            var frame = await device.ReceiveAsync(cancellationToken);
            Xunit.Assert.True(frame is not null, $"{what ?? "the next message"}: the gateway closed with {device.CloseStatus}");
            if (frame.Text is not null) return TutorJson.TryDeserialize<DeviceMessage>(frame.Text)!;
        }
    }
}
