using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Tutor.Workers.Speech;

/// <summary>
/// One of flite's built-in English voices (Debian's <c>flite</c>: <c>slt</c>, <c>kal16</c>, <c>awb</c>, <c>rms</c>),
/// loaded once into the worker through libflite and kept: a sentence is synthesized in-process, with no process or
/// file per sentence. flite is not thread-safe, so one sentence at a time (it takes a few tens of milliseconds).
/// </summary>
public sealed partial class FliteVoice
{
    private const string Flite = "libflite.so.1";

    private static readonly object Loading = new();
    private static readonly Dictionary<string, FliteVoice> Loaded = [];
    private static bool _initialized;

    private readonly nint _voice;

    // One lock for every voice: the voices share flite's global state and C's rand() (below).
    private static readonly object Speaking = new();

    private FliteVoice(string name, nint voice)
    {
        Name = name;
        _voice = voice;
    }

    public string Name { get; }

    /// <summary>The voice, loaded on first use; throws <see cref="InvalidOperationException"/> naming the library when it cannot be.</summary>
    public static FliteVoice Load(string name)
    {
        lock (Loading)
        {
            if (Loaded.TryGetValue(name, out var voice)) return voice;
            if (name is not ("slt" or "kal16" or "awb" or "rms" or "kal"))
            {
                throw new InvalidOperationException($"flite has no built-in voice '{name}'; use slt, kal16, awb, rms or kal.");
            }
            var library = $"libflite_cmu_us_{name}.so.1";
            try
            {
                if (!_initialized)
                {
                    _ = flite_init();
                    _initialized = true;
                }
                var handle = NativeLibrary.Load(library);
                var register = Marshal.GetDelegateForFunctionPointer<Register>(NativeLibrary.GetExport(handle, $"register_cmu_us_{name}"));
                var pointer = register(0);
                if (pointer == 0) throw new InvalidOperationException($"{library} did not register its voice.");
                return Loaded[name] = new FliteVoice(name, pointer);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                throw new InvalidOperationException($"flite's voice '{name}' cannot be loaded ({library}: {ex.Message}). Install it: sudo apt-get install -y flite", ex);
            }
        }
    }

    /// <summary>The sentence's speech: PCM16 mono samples at the voice's rate; the same sentence always sounds the same.</summary>
    public SpeechChunk Say(string text)
    {
        lock (Speaking)
        {
            // The clustergen voices (slt, awb, rms) excite unvoiced sounds with C's rand(), whose state is the process's:
            // unseeded, a sentence sounded different each time, depending on everything said before it (a recognition
            // test heard a wrong answer accepted in one run and not the next). Seeded from the sentence, it is repeatable.
            srand(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
            var wave = flite_text_to_wave(text, _voice);
            if (wave == 0) throw new InvalidOperationException($"flite could not say a sentence of {text.Length} characters.");
            try
            {
                var header = Marshal.PtrToStructure<Wave>(wave);
                var pcm = new byte[header.NumSamples * header.NumChannels * 2];
                Marshal.Copy(header.Samples, pcm, 0, pcm.Length);
                return new SpeechChunk(pcm, header.SampleRate);
            }
            finally
            {
                delete_wave(wave);
            }
        }
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint Register(nint voxdir);

    /// <summary>flite's <c>cst_wave</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Wave
    {
        public nint Type;
        public int SampleRate;
        public int NumSamples;
        public int NumChannels;
        public nint Samples;
    }

    [LibraryImport(Flite)]
    private static partial int flite_init();

    [LibraryImport(Flite, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint flite_text_to_wave(string text, nint voice);

    [LibraryImport(Flite)]
    private static partial void delete_wave(nint wave);

    [LibraryImport("libc.so.6")]
    private static partial void srand(uint seed);
}
