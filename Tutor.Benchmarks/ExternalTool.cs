using System.ComponentModel;
using System.Diagnostics;

namespace Tutor.Benchmarks;

/// <summary>
/// Runs a command-line engine (espeak-ng, festival's text2wave — the benchmarks compare them with the engines the worker
/// loads in-process) without a shell, with a time limit, and collects what it prints;
/// <c>input</c>, when given, is written to its standard input (no file in between).
/// </summary>
public static class ExternalTool
{
    public static async Task<(int ExitCode, byte[] Output, string Errors)> RunAsync(
        string path, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken, ReadOnlyMemory<byte>? input = null)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"'{path}' could not be started: {ex.Message}", ex);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var output = new MemoryStream();
        try
        {
            var copy = process.StandardOutput.BaseStream.CopyToAsync(output, limit.Token);
            var errors = process.StandardError.ReadToEndAsync(limit.Token);
            if (input is { } bytes)
            {
                await process.StandardInput.BaseStream.WriteAsync(bytes, limit.Token);
                process.StandardInput.Close();
            }
            await process.WaitForExitAsync(limit.Token);
            await copy;
            return (process.ExitCode, output.ToArray(), await errors);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"'{path}' did not finish within {timeout.TotalSeconds:0} s.");
        }
    }
}
