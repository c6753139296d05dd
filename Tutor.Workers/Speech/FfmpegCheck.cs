using System.Diagnostics;

namespace Tutor.Workers.Speech;

/// <summary>Stops the worker at start when ffmpeg cannot run, with the command that installs it, instead of failing every turn later.</summary>
public sealed class FfmpegCheck(ILogger<FfmpegCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", ["-hide_banner", "-version"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var version = (await ffmpeg.StandardOutput.ReadLineAsync(cancellationToken))?.Trim();
            await ffmpeg.WaitForExitAsync(cancellationToken);
            logger.LogInformation("Audio conversion by {Version}", version);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                "ffmpeg is not installed; the workers need it to convert speech. Install it: sudo apt-get install -y ffmpeg", ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
