using Tutor.Benchmarks;
using Tutor.Benchmarks.Load;

// Speed, capacity and accuracy figures. Run: dotnet run -c Release --project Tutor.Benchmarks -- <benchmark> [options]
//   vad [seconds]   voice-activity detection cost per second of audio (default 120 s of audio)
//   recognition     offline recognition accuracy over the shipped lessons' answers (espeak-ng voices, pocketsphinx)
//   voices          the offline English voices: time to a sentence's audio and CPU per second of speech
//   own-models [sizes] an operator's own Whisper / Llama model in the worker: load, transcription, answer (tiny.en base.en llama-0.5b-q4_0)
//   resampler       speech resampling to the device's rate: CPU, signal-to-noise and aliasing per quality
//   load [options]  devices × turns against a gateway, workers, Redis and an engine stand-in (load --help)
//   faults [options] the load scenario with workers, Redis and the gateway killed and restarted on a schedule
switch (args.FirstOrDefault() ?? "vad")
{
    case "vad":
        await VadBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 120);
        break;
    case "recognition":
        await RecognitionBenchmark.RunAsync();
        break;
    case "resampler":
        await ResamplerBenchmark.RunAsync();
        break;
    case "own-models":
        await OwnModelsBenchmark.RunAsync(args[1..]);
        break;
    case "voices":
        await VoicesBenchmark.RunAsync();
        break;
    case "load" or "faults":
        LoadOptions load;
        try
        {
            load = LoadOptions.Parse(args[0] == "faults" ? [.. LoadOptions.FaultScenario, .. args[1..]] : args[1..]);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(LoadOptions.Usage);
            return 64;
        }
        if (load.Help)
        {
            Console.WriteLine(LoadOptions.Usage);
            break;
        }
        await LoadBenchmark.RunAsync(load);
        break;
    default:
        Console.Error.WriteLine("Benchmarks: vad [seconds] | recognition | voices | own-models [sizes] | resampler | load [options] | faults [options]");
        return 64;
}
return 0;
