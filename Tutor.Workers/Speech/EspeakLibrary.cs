using System.Runtime.InteropServices;

namespace Tutor.Workers.Speech;

/// <summary>
/// espeak-ng loaded into the worker (libespeak-ng, synchronous mode): a sentence is synthesized in-process into memory,
/// with no process per sentence. The library keeps one global state, so one sentence at a time in this process.
/// </summary>
public static partial class EspeakLibrary
{
    private const string Library = "libespeak-ng.so.1";
    private const int AudioOutputSynchronous = 2;
    private const int CharactersUtf8 = 1;
    private const int PositionCharacter = 1;
    private const int Rate = 1;

    private static readonly object Speaking = new();
    private static readonly SynthCallback Collect = OnSamples; // kept alive: the library holds a pointer to it
    private static int _sampleRate;
    private static MemoryStream? _collected;

    /// <summary>The sentence spoken by <paramref name="voice"/> at <paramref name="wordsPerMinute"/>: PCM16 mono at espeak-ng's rate.</summary>
    public static SpeechChunk Say(string text, string voice, int wordsPerMinute)
    {
        lock (Speaking)
        {
            if (_sampleRate == 0)
            {
                try
                {
                    _sampleRate = espeak_Initialize(AudioOutputSynchronous, 0, null, 0);
                }
                catch (DllNotFoundException ex)
                {
                    throw new InvalidOperationException($"libespeak-ng cannot be loaded ({ex.Message}). Install it: sudo apt-get install -y espeak-ng", ex);
                }
                if (_sampleRate <= 0) throw new InvalidOperationException("espeak-ng could not start (its data directory is missing?).");
                espeak_SetSynthCallback(Marshal.GetFunctionPointerForDelegate(Collect));
            }
            if (espeak_SetVoiceByName(voice) != 0) throw new InvalidOperationException($"espeak-ng has no voice '{voice}'.");
            espeak_SetParameter(Rate, wordsPerMinute, 0);

            _collected = new MemoryStream();
            var utf8 = System.Text.Encoding.UTF8.GetBytes(text + "\0");
            var status = espeak_Synth(utf8, (nuint)utf8.Length, 0, PositionCharacter, 0, CharactersUtf8, 0, 0);
            espeak_Synchronize();
            var pcm = _collected.ToArray();
            _collected = null;
            if (status != 0 || pcm.Length == 0) throw new InvalidOperationException($"espeak-ng could not say a sentence of {text.Length} characters (status {status}).");
            return new SpeechChunk(pcm, _sampleRate);
        }
    }

    private static int OnSamples(nint samples, int count, nint events)
    {
        if (samples != 0 && count > 0 && _collected is { } collected)
        {
            unsafe
            {
                collected.Write(new ReadOnlySpan<byte>((void*)samples, count * 2));
            }
        }
        return 0; // go on
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SynthCallback(nint samples, int count, nint events);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int espeak_Initialize(int output, int bufferLength, string? path, int options);

    [LibraryImport(Library)]
    private static partial void espeak_SetSynthCallback(nint callback);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int espeak_SetVoiceByName(string name);

    [LibraryImport(Library)]
    private static partial int espeak_SetParameter(int parameter, int value, int relative);

    [LibraryImport(Library)]
    private static partial int espeak_Synth(byte[] text, nuint size, uint position, int positionType, uint endPosition, uint flags, nint uniqueIdentifier, nint userData);

    [LibraryImport(Library)]
    private static partial int espeak_Synchronize();
}
