using System.Diagnostics;

namespace Tutor.AppHost.Redis;

/// <summary>
/// Asks the container runtime whether its engine is up. Aspire's own check takes ~30 s to give up when the CLI exists but
/// no engine runs; <c>docker info</c> fails in well under a second.
/// </summary>
internal static class ContainerRuntimeProbe
{
    public static async Task<(bool Healthy, string Runtime, string Detail)> ProbeAsync(
        string? configuredRuntime, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var runtime = string.IsNullOrWhiteSpace(configuredRuntime) ? "docker" : configuredRuntime;
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };

        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (false, runtime, $"'{runtime}' is not installed");
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
            var stderr = process.StandardError.ReadToEndAsync(cts.Token);
            await process.WaitForExitAsync(cts.Token);
            return process.ExitCode == 0
                ? (true, runtime, $"{runtime} engine {(await stdout).Trim()}")
                : (false, runtime, FirstLine(await stderr));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return (false, runtime, $"'{runtime} info' did not answer within {timeout.TotalSeconds:0} s");
        }
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no engine";
}
