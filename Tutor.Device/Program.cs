using Tutor.Contracts.Audio;
using Tutor.Contracts.Devices;
using Tutor.Device;

// The ESP device simulator: speaks one utterance to the gateway and saves what the tutor says back.
SimulatorOptions options;
try
{
    options = SimulatorOptions.Parse(args, Environment.GetEnvironmentVariable);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(SimulatorOptions.Usage);
    return 64;
}
if (options.Help)
{
    Console.WriteLine(SimulatorOptions.Usage);
    return 0;
}

try
{
    using var timeout = new CancellationTokenSource(options.Timeout);
    var pcm = options.Say is { } text
        ? await SpokenText.SayAsync(text, options.Voice, timeout.Token)
        : options.InputIsRawPcm
            ? await File.ReadAllBytesAsync(options.InputPath, timeout.Token)
            : ToDevicePcm(WavFile.ReadPcm16(await File.ReadAllBytesAsync(options.InputPath, timeout.Token)), options.InputPath);

    var paired = options.SecretFile is { } secretFile ? await PairedDevice.LoadAsync(secretFile, timeout.Token) : null;
    if (options.Pair)
    {
        Console.WriteLine($"Pairing with {options.Gateway}…");
        paired = await DevicePairing.PairAsync(options.Gateway, options.Profile,
            code => Console.Out.WriteLineAsync($"Pairing code: {code} — enter it on the parents' page (Devices → Pair a device)."),
            spoken => Console.Out.WriteLineAsync($"device says: {spoken}"),
            timeout.Token);
        await paired.SaveAsync(options.SecretFile!, timeout.Token);
        Console.WriteLine($"Paired with '{paired.UserId}'; the secret is kept in {options.SecretFile}.");
    }
    var (userId, token) = paired is null ? (options.UserId, options.Token) : (paired.UserId, paired.Token);

    Console.WriteLine($"Connecting to {options.Gateway} as user '{userId}' ({options.Profile.Format}, {options.TurnTaking})…");
    await using var device = await DeviceClient.ConnectAsync(options.Gateway, userId, token, options.Profile, timeout.Token);
    Console.WriteLine($"Session {(device.SessionId.Length > 0 ? device.SessionId : "(plain mode: no hello)")}. Speaking {(options.Say is null ? options.InputPath : $"\"{options.Say}\"")} ({pcm.Length / 32000.0:0.0} s)…");
    await device.SpeakAsync(pcm, options.TurnTaking, realTime: true, timeout.Token);
    if (options.TurnTaking != TurnTaking.Manual)
    {
        // Auto and plain modes end the turn with silence, as a child who has finished speaking does.
        await device.StreamAsync(new byte[32000 * 2], realTime: true, timeout.Token);
    }

    var aborted = false;
    var reply = await device.ListenForReplyAsync(timeout.Token, async heard =>
    {
        if (aborted || options.AbortAfter is not { } after || heard.Audio.Length < after.TotalSeconds * 32000) return;
        aborted = true;
        Console.WriteLine($"(interrupting the tutor after {after.TotalSeconds:0.0} s)");
        await device.AbortAsync(timeout.Token);
    });
    if (reply.Heard is not null) Console.WriteLine($"child: {reply.Heard}");
    foreach (var sentence in reply.Sentences) Console.WriteLine($"tutor: {sentence}");
    if (reply.Error is { } error)
    {
        Console.Error.WriteLine($"The gateway answered with an error ({error.Code}): {error.Message}");
        return 2;
    }

    await File.WriteAllBytesAsync(options.OutputPath, WavFile.FromPcm16(reply.Audio.ToArray(), 16000, 1));
    Console.WriteLine($"Saved the reply ({reply.Audio.Length / 32000.0:0.0} s) to {Path.GetFullPath(options.OutputPath)}");
    return 0;
}
catch (Exception ex) when (ex is IOException or InvalidDataException or InvalidOperationException or System.Net.WebSockets.WebSocketException
    or OperationCanceledException)
{
    Console.Error.WriteLine($"Device simulator failed: {ex.Message}");
    return 1;
}

static byte[] ToDevicePcm(PcmAudio audio, string path) =>
    audio.SampleRate == AudioParams.Pcm16Mono16k.SampleRate && audio.Channels == 1
        ? audio.Samples
        : throw new InvalidDataException(
            $"{path} is {audio.SampleRate} Hz, {audio.Channels} channel(s); the device sends 16 kHz mono. Convert it first: " +
            $"ffmpeg -i {path} -ar 16000 -ac 1 -c:a pcm_s16le out.wav");
