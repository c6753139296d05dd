using System.ComponentModel;
using System.Diagnostics;

namespace Tutor.Device;

/// <summary>
/// A child's voice for the simulator: espeak-ng (a voice such as <c>en-us</c>) or flite (<c>flite:slt</c>, clearer to
/// the offline recognizer) says the text, ffmpeg makes it the device's PCM16 16 kHz mono.
/// </summary>
public static class SpokenText
{
    public static async Task<byte[]> SayAsync(string text, string voice, CancellationToken cancellationToken)
    {
        var wav = voice.StartsWith("flite:", StringComparison.Ordinal)
            ? await RunAsync("flite", ["-voice", voice["flite:".Length..], "-t", text, "-o", "/dev/stdout"], null, cancellationToken)
            : await RunAsync("espeak-ng", ["-v", voice, "-s", "150", "--stdout", "--", text], null, cancellationToken);
        return await RunAsync("ffmpeg", ["-loglevel", "error", "-i", "pipe:0", "-ar", "16000", "-ac", "1", "-f", "s16le", "pipe:1"], wav, cancellationToken);
    }

    private static async Task<byte[]> RunAsync(string tool, string[] arguments, byte[]? input, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardInput = input is not null, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception)
        {
            throw new IOException($"{tool} is not installed; --say needs espeak-ng and ffmpeg (sudo apt-get install -y espeak-ng ffmpeg).");
        }

        using (process)
        {
            var output = new MemoryStream();
            var reading = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            if (input is not null)
            {
                await process.StandardInput.BaseStream.WriteAsync(input, cancellationToken);
                process.StandardInput.Close();
            }
            await process.WaitForExitAsync(cancellationToken);
            await reading;
            return process.ExitCode == 0 ? output.ToArray() : throw new IOException($"{tool} failed: {await errors}");
        }
    }
}
