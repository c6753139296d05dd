using Microsoft.Extensions.Options;
using Tutor.Workers.Speech;

namespace Tutor.Workers.Providers;

/// <summary>
/// Stops the worker at start, with the command that installs what is missing, when an engine it needs cannot run:
/// espeak-ng, flite's voices and pocketsphinx with its model when speech is offline, the operator's Whisper or Llama model
/// file when one is chosen. Logs which engine does which job. (Reply audio is
/// resampled in-process: the worker needs no ffmpeg.)
/// </summary>
public sealed class EngineCheck(ActiveProviders providers, IOptions<OfflineSpeechOptions> offline, IServiceProvider services, ILogger<EngineCheck> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var speech = offline.Value;
        if (providers.TextToSpeech == ProviderChoice.Offline)
        {
            var voices = speech.Voices.Values.Select(OfflineSpeechOptions.ParseVoice).ToList();
            // The voices load into the worker now, so a missing library or voice stops it here, naming what to install.
            foreach (var (_, voice) in voices.Where(v => v.Engine == OfflineSpeechOptions.Espeak)) EspeakLibrary.Say("ready", voice, speech.WordsPerMinute);
            foreach (var (_, voice) in voices.Where(v => v.Engine == OfflineSpeechOptions.Flite)) FliteVoice.Load(voice);
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
        // The operator's own models load into the worker now: a missing or broken file stops it here, naming the file.
        if (providers.SpeechToText == ProviderChoice.Whisper) services.GetRequiredService<ISpeechToText>();
        if (providers.Chat == ProviderChoice.Llama) services.GetRequiredService<Replies.ITutor>();
        logger.Providers(providers);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
