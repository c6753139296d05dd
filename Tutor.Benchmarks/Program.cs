using Tutor.Benchmarks;

// Speed, capacity and accuracy figures. Run: dotnet run -c Release --project Tutor.Benchmarks -- <benchmark> [options]
//   vad [seconds]   voice-activity detection cost per second of audio (default 120 s of audio)
//   recognition     offline recognition accuracy over the shipped lessons' answers (espeak-ng voices, pocketsphinx)
switch (args.FirstOrDefault() ?? "vad")
{
    case "vad":
        await VadBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 120);
        break;
    case "recognition":
        await RecognitionBenchmark.RunAsync();
        break;
    default:
        Console.Error.WriteLine("Benchmarks: vad [seconds] | recognition");
        return 64;
}
return 0;
