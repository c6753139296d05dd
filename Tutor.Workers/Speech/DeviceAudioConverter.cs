using FFMpegCore;
using Tutor.Contracts.Devices;

namespace Tutor.Workers.Speech;

/// <summary>Converts synthesized speech to the raw PCM16 little-endian the device plays, with ffmpeg.</summary>
public sealed class DeviceAudioConverter
{
    /// <remarks>
    /// Through temporary files rather than FFMpegCore's pipes: measured here, its pipe input handed ffmpeg only the first
    /// ~40 KB of a WAV and the reply came out truncated without an error.
    /// </remarks>
    public async Task<byte[]> ToDevicePcmAsync(byte[] encoded, AudioParams device, CancellationToken cancellationToken)
    {
        var workspace = Directory.CreateTempSubdirectory("tutor-audio-");
        try
        {
            var input = Path.Combine(workspace.FullName, "speech");
            var output = Path.Combine(workspace.FullName, "device.pcm");
            await File.WriteAllBytesAsync(input, encoded, cancellationToken);
            var result = await FFMpegArguments
                .FromFileInput(input)
                .OutputToFile(output, overwrite: true, options => options
                    .WithCustomArgument("-vn")
                    .WithAudioSamplingRate(device.SampleRate)
                    .WithAudioChannels(device.Channels)
                    .WithCustomArgument("-f s16le -acodec pcm_s16le"))
                .ProcessAsynchronously(throwOnError: false, cancellationToken: cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (!result.Success)
            {
                throw new InvalidDataException(
                    $"ffmpeg could not convert the synthesized speech (exit {result.ExitCode}): {string.Join(" ", result.StandardError.TakeLast(2))}");
            }

            return await File.ReadAllBytesAsync(output, cancellationToken);
        }
        finally
        {
            workspace.Delete(recursive: true);
        }
    }
}
