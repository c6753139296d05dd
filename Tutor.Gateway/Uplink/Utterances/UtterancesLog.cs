namespace Tutor.Gateway.Uplink.Utterances;

/// <summary>What publishing an utterance logs (event ids 1400–1499): its key and length, never its audio.</summary>
internal static partial class UtterancesLog
{
    [LoggerMessage(1400, LogLevel.Warning, "Utterance {AudioKey} announced but no worker is listening on {Channel}")]
    public static partial void NoWorkerListening(this ILogger logger, string audioKey, string channel);

    [LoggerMessage(1401, LogLevel.Information, "Utterance {AudioKey} ({Seconds:0.00} s) announced to {Receivers} worker(s)")]
    public static partial void Announced(this ILogger logger, string audioKey, double seconds, long receivers);
}
