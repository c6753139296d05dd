using System.Runtime.InteropServices;

namespace Tutor.Workers.Speech;

/// <summary>
/// One pocketsphinx decoder (Debian's libpocketsphinx 5prealpha), loaded once with the acoustic model and dictionary and
/// kept: an utterance costs its decoding only, not a process and a model load. A decoder hears one utterance at a time;
/// its searches — the general language model, and a grammar per lesson step — are added once and switched between.
/// </summary>
public sealed partial class PocketSphinxDecoder : IDisposable
{
    private const string PocketSphinx = "libpocketsphinx.so.3";
    private const string SphinxBase = "libsphinxbase.so.3";
    public const string FreeSpeech = "free";
    private const int Block = 2048;

    private readonly nint _decoder;
    private readonly HashSet<string> _searches = [];
    private readonly nint _cmn;
    private readonly float[] _initialMean;

    /// <param name="maxHmmsPerFrame">pocketsphinx's <c>-maxhmmpf</c>: the search's width (its default, 30000, is wide).</param>
    /// <param name="maxWordsPerFrame">pocketsphinx's <c>-maxwpf</c>: distinct words that may end in one frame (default −1, any).</param>
    public PocketSphinxDecoder(string acousticModel, string dictionary, string languageModel, int sampleRate, int maxHmmsPerFrame = 30000, int maxWordsPerFrame = -1)
    {
        string[] arguments = ["-hmm", acousticModel, "-dict", dictionary, "-lm", languageModel, "-samprate", sampleRate.ToString(), "-logfn", "/dev/null",
            "-maxhmmpf", maxHmmsPerFrame.ToString(), "-maxwpf", maxWordsPerFrame.ToString()];
        nint config;
        try
        {
            config = cmd_ln_parse_r(0, ps_args(), arguments.Length, arguments, 1);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new InvalidOperationException($"libpocketsphinx cannot be loaded ({ex.Message}). Install it: sudo apt-get install -y pocketsphinx pocketsphinx-en-us", ex);
        }
        if (config == 0) throw new InvalidOperationException("pocketsphinx refused its configuration (model, dictionary or language model paths).");
        _decoder = ps_init(config);
        if (_decoder == 0) throw new InvalidOperationException($"pocketsphinx could not load its model from {acousticModel}.");
        // -lm makes the general model the decoder's default search; it is also kept under a name to come back to.
        if (ps_set_lm_file(_decoder, FreeSpeech, languageModel) != 0) throw new InvalidOperationException($"pocketsphinx could not load {languageModel}.");
        _searches.Add(FreeSpeech);
        (_cmn, _initialMean) = CepstralMean(_decoder);
    }

    /// <summary>
    /// The live cepstral mean normalisation of the decoder's features, and its starting mean. pocketsphinx carries the mean
    /// over from one utterance to the next (one speaker, one microphone); here every utterance may be another child's, so
    /// each one starts from the model's own starting mean, as a fresh decoder would. sphinxbase exports the functions but
    /// not the field, so it is read from <c>feat_t</c> (5prealpha's layout), checked against the cepstrum's known length.
    /// </summary>
    private static (nint Cmn, float[] Mean) CepstralMean(nint decoder)
    {
        var feat = ps_get_feat(decoder);
        var cepsize = Marshal.ReadInt32(feat, FeatCepsizeOffset);
        var cmn = Marshal.ReadIntPtr(feat, FeatCmnOffset);
        if (cepsize is < 1 or > 64 || cmn == 0 || Marshal.ReadInt32(cmn, CmnVeclenOffset) != cepsize)
        {
            throw new InvalidOperationException("This libsphinxbase's feature layout is not 5prealpha's; Tutor cannot reset its normalisation.");
        }
        var mean = new float[cepsize];
        cmn_live_get(cmn, mean);
        return (cmn, mean);
    }

    // struct feat_s: int refcount; char *name; int32 cepsize; … cmn_t *cmn_struct (x64); struct cmn_t: 3 pointers, nframe, veclen.
    private const int FeatCepsizeOffset = 16;
    private const int FeatCmnOffset = 88;
    private const int CmnVeclenOffset = 28;

    /// <summary>Adds a grammar search (JSGF text) under <paramref name="name"/>, once.</summary>
    public void AddGrammar(string name, string jsgf)
    {
        if (_searches.Contains(name)) return;
        if (ps_set_jsgf_string(_decoder, name, jsgf) != 0) throw new InvalidOperationException("pocketsphinx refused a grammar.");
        _searches.Add(name);
    }

    /// <summary>What <paramref name="search"/> hears in the utterance (PCM16 samples at the decoder's rate).</summary>
    public string Decode(string search, ReadOnlySpan<byte> pcm) => Run(search, pcm).Hypothesis;

    /// <summary>
    /// What <paramref name="search"/> (a grammar) hears, what the general language model hears in the same audio, and
    /// how far the grammar's best path scores below the general model's, per 10 ms frame (pocketsphinx's log units).
    /// Speech the grammar holds scores about as well either way; words it does not hold, forced onto its nearest phrase,
    /// fall far below. (A phone loop would be the purer yardstick, but pocketsphinx's takes 2 s a second of speech; the
    /// general model takes 0.3 s.)
    /// </summary>
    public (string Hypothesis, string FreeHypothesis, double GapPerFrame) DecodeAgainstFreeSpeech(string search, ReadOnlySpan<byte> pcm)
    {
        var (hypothesis, score, frames) = Run(search, pcm);
        var (free, freeScore, _) = Run(FreeSpeech, pcm);
        return (hypothesis, free, frames > 0 ? (double)(score - freeScore) / frames : 0);
    }

    private (string Hypothesis, int Score, int Frames) Run(string search, ReadOnlySpan<byte> pcm)
    {
        if (ps_set_search(_decoder, search) != 0) throw new InvalidOperationException($"pocketsphinx has no search '{search}'.");
        cmn_live_set(_cmn, _initialMean);
        // The front end's noise estimate is carried over on purpose: ps_start_stream would forget it, but a fresh estimate
        // doubled the transcription time (offline load benchmark: first audio p50 0.45 → 0.9 s).
        var samples = MemoryMarshal.Cast<byte, short>(pcm[..(pcm.Length & ~1)]);
        if (ps_start_utt(_decoder) < 0) throw new InvalidOperationException("pocketsphinx could not start an utterance.");
        // In blocks, as pocketsphinx_continuous feeds it: its live cepstral normalisation is what the model hears best
        // (a whole utterance at once, normalised in batch, turned espeak-ng's "hello" into "no").
        for (var start = 0; start < samples.Length; start += Block)
        {
            var block = samples.Slice(start, Math.Min(Block, samples.Length - start));
            if (ps_process_raw(_decoder, ref MemoryMarshal.GetReference(block), (nuint)block.Length, 0, 0) < 0)
            {
                ps_end_utt(_decoder);
                throw new InvalidOperationException("pocketsphinx could not decode the utterance.");
            }
        }
        ps_end_utt(_decoder);
        // The hypothesis belongs to the decoder: read, not freed.
        var hypothesis = ps_get_hyp(_decoder, out var score);
        return (hypothesis == 0 ? "" : (Marshal.PtrToStringUTF8(hypothesis) ?? "").Trim(), score, ps_get_n_frames(_decoder));
    }

    public void Dispose() => ps_free(_decoder);

    [LibraryImport(PocketSphinx)] private static partial nint ps_args();
    [LibraryImport(SphinxBase, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint cmd_ln_parse_r(nint inout, nint definitions, int argc, string[] argv, int strict);
    [LibraryImport(PocketSphinx)] private static partial nint ps_init(nint config);
    [LibraryImport(PocketSphinx)] private static partial int ps_free(nint decoder);
    [LibraryImport(PocketSphinx, StringMarshalling = StringMarshalling.Utf8)] private static partial int ps_set_lm_file(nint decoder, string name, string path);
    [LibraryImport(PocketSphinx, StringMarshalling = StringMarshalling.Utf8)] private static partial int ps_set_jsgf_string(nint decoder, string name, string jsgf);
    [LibraryImport(PocketSphinx, StringMarshalling = StringMarshalling.Utf8)] private static partial int ps_set_search(nint decoder, string name);
    [LibraryImport(PocketSphinx)] private static partial int ps_start_utt(nint decoder);
    [LibraryImport(PocketSphinx)] private static partial int ps_process_raw(nint decoder, ref short data, nuint samples, int noSearch, int fullUtterance);
    [LibraryImport(PocketSphinx)] private static partial int ps_end_utt(nint decoder);
    [LibraryImport(PocketSphinx)] private static partial nint ps_get_hyp(nint decoder, out int bestScore);
    [LibraryImport(PocketSphinx)] private static partial nint ps_get_feat(nint decoder);
    [LibraryImport(PocketSphinx)] private static partial int ps_get_n_frames(nint decoder);
    [LibraryImport(SphinxBase)] private static partial void cmn_live_get(nint cmn, [Out] float[] mean);
    [LibraryImport(SphinxBase)] private static partial void cmn_live_set(nint cmn, [In] float[] mean);
}
