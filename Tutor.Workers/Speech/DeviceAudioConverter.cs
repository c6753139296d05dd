using FFMpegCore;
using FFMpegCore.Pipes;
using Tutor.Contracts.Devices;

namespace Tutor.Workers.Speech;

/// <summary>Converts synthesized speech to the raw PCM16 little-endian the device plays, with ffmpeg.</summary>
public sealed class DeviceAudioConverter
{
    public async Task<byte[]> ToDevicePcmAsync(byte[] encoded, AudioParams device, CancellationToken cancellationToken)
    {
        using var input = new MemoryStream(encoded, writable: false);
        using var output = new MemoryStream();
        var result = await FFMpegArguments
            .FromPipeInput(new StreamPipeSource(input))
            .OutputToPipe(new StreamPipeSink(output), options => options
                .WithCustomArgument("-vn")
                .WithAudioSamplingRate(device.SampleRate)
                .WithAudioChannels(device.Channels)
                .WithCustomArgument("-f s16le -acodec pcm_s16le"))
            .ProcessAsynchronously(throwOnError: false, cancellationToken: cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (!result.Success)
        {
            throw new InvalidDataException(
                $"ffmpeg could not convert the synthesized speech (exit {result.ExitCode}): {string.Join(" ", result.StandardError.TakeLast(3))}");
        }

        return output.ToArray();
    }
}
