using Microsoft.Extensions.Options;
using Tutor.Workers.Speech;

namespace Tutor.Workers.Providers;

/// <summary>
/// Stops the worker at start, with the command that installs what is missing, when an engine it needs cannot run:
/// espeak-ng, flite's voices and pocketsphinx with its model when speech is offline. Logs which engine does which job. (Reply audio is
/// resampled in-process: the worker needs no ffmpeg.)
/// </summary>
public sealed class EngineCheck(ActiveProviders providers, IOptions<OfflineSpeechOptions> offline, IServiceProvider services, ILogger<EngineCheck> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var speech = offline.Value;
        if (providers.TextToSpeech == ProviderChoice.Offline)
        {
            var voices = speech.Voices.Values.Select(OfflineSpeechOptions.ParseVoice).ToList();
            if (voices.Any(v => v.Engine == OfflineSpeechOptions.Espeak)) await RequireAsync(speech.EspeakPath, ["--version"], "espeak-ng", cancellationToken);
            // flite's voices load into the worker now, so a missing library stops it here, naming what to install.
            foreach (var (engine, voice) in voices.Where(v => v.Engine == OfflineSpeechOptions.Flite)) FliteVoice.Load(voice);
            if (voices.FirstOrDefault(v => v.Engine is not (OfflineSpeechOptions.Flite or OfflineSpeechOptions.Espeak)) is { Engine: { } unknown })
            {
                throw new InvalidOperationException($"OfflineSpeech:Voices names an engine '{unknown}'; use flite:<voice> or espeak:<voice>.");
            }
        }
        if (providers.SpeechToText == ProviderChoice.Offline)
        {
            if (!Directory.Exists(speech.AcousticModel) || !File.Exists(speech.Dictionary) || !File.Exists(speech.LanguageModel))
            {
                throw new InvalidOperationException($"The pocketsphinx English model is missing ({speech.AcousticModel}, {speech.Dictionary}, "
                    + $"{speech.LanguageModel}). Install it: sudo apt-get install -y pocketsphinx-en-us");
            }
            // The model loads into the worker now: a broken library or model stops it here.
            (services.GetRequiredService<ISpeechToText>() as PocketSphinxSpeechToText)?.Prepare();
        }
        logger.LogInformation("Providers: {Providers}", providers);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task RequireAsync(string path, string[] arguments, string package, CancellationToken cancellationToken, bool anyExitCode = false)
    {
        try
        {
            var (exit, _, errors) = await ExternalTool.RunAsync(path, arguments, TimeSpan.FromSeconds(15), cancellationToken);
            if (exit != 0 && !anyExitCode) throw new InvalidOperationException($"'{path}' does not work (exit {exit}): {errors.Trim()}");
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{ex.Message} The worker needs it; install it: sudo apt-get install -y {package}", ex);
        }
    }
}
