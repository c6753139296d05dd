using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Concentus;
using Tutor.Contracts.Devices;

namespace Tutor.Workers.Speech;

/// <summary>
/// Makes a sentence's streamed speech the device's: resampled in-process to the device's rate (Speex's resampler, as
/// ported by Concentus — no process, no file) and cut into reply parts. The first part is short, so the first syllable
/// leaves at once; after it, a part leaves once at least twice the last one has arrived, and takes all that has arrived
/// (up to <see cref="LongestPart"/>): an engine that streams near real time yields parts that stay ahead of the device,
/// and one that is much faster yields few parts, so a sentence does not cost a Redis round trip every few frames.
/// </summary>
public static class DeviceSpeech
{
    /// <summary>
    /// The first part of a sentence: short, so the device hears it soon after the engine's first byte. Every part but a
    /// sentence's last is a whole number of these, and so of every frame length the device protocol allows (10, 20, 40,
    /// 60 ms): the gateway never pads a frame in the middle of a sentence.
    /// </summary>
    public static readonly TimeSpan FirstPart = TimeSpan.FromMilliseconds(120);

    /// <summary>The most audio one part holds; the gateway keeps a part in memory until it is played.</summary>
    public static readonly TimeSpan LongestPart = TimeSpan.FromSeconds(4);

    /// <summary>Speex quality 0–10; 5 keeps speech clean (flat to 7 kHz at 16 kHz) for ~0.2 ms CPU per second of audio.</summary>
    public const int ResamplerQuality = 5;

    public static async IAsyncEnumerable<byte[]> ToDeviceAsync(IAsyncEnumerable<SpeechChunk> speech, AudioParams device,
        [EnumeratorCancellation] CancellationToken cancellationToken, int quality = ResamplerQuality)
    {
        var bytesPerSecond = device.SampleRate * 2;
        var unit = Even(FirstPart.TotalSeconds * bytesPerSecond);
        var partBytes = unit;
        var longest = Even(LongestPart.TotalSeconds * bytesPerSecond) / unit * unit;
        var converter = (Converter?)null;
        var first = true;
        var part = new ArrayBufferWriter<byte>(longest + 4096);
        await foreach (var chunk in speech.WithCancellation(cancellationToken))
        {
            converter ??= new Converter(chunk.SampleRate, device.SampleRate, quality);
            converter.Add(chunk.Pcm.Span, part);
            while (part.WrittenCount >= partBytes)
            {
                var length = first ? partBytes : Math.Min(part.WrittenCount / unit * unit, longest);
                yield return Cut(part, length);
                partBytes = Math.Min(length * 2, longest);
                first = false;
            }
        }
        converter?.Flush(part);
        if (part.WrittenCount > 0) yield return Cut(part, part.WrittenCount);
    }

    /// <summary>The whole of it in one buffer, for callers that want no streaming (tests, benchmarks).</summary>
    public static async Task<byte[]> ToDevicePcmAsync(IAsyncEnumerable<SpeechChunk> speech, AudioParams device, CancellationToken cancellationToken,
        int quality = ResamplerQuality)
    {
        var whole = new ArrayBufferWriter<byte>();
        await foreach (var part in ToDeviceAsync(speech, device, cancellationToken, quality)) whole.Write(part);
        return whole.WrittenSpan.ToArray();
    }

    /// <summary>A WAV file's samples as speech (the offline engines write WAV).</summary>
    public static async IAsyncEnumerable<SpeechChunk> FromWav(byte[] wav)
    {
        var pcm = Tutor.Contracts.Audio.WavFile.ReadPcm16(wav);
        if (pcm.Channels != 1) throw new InvalidDataException($"Speech must be mono; this WAV has {pcm.Channels} channels.");
        yield return new SpeechChunk(pcm.Samples, pcm.SampleRate);
        await Task.CompletedTask;
    }

    private static int Even(double bytes) => (int)bytes & ~1;

    /// <summary>Takes the first <paramref name="length"/> bytes out of <paramref name="part"/>, keeping the rest.</summary>
    private static byte[] Cut(ArrayBufferWriter<byte> part, int length)
    {
        var written = part.WrittenSpan;
        var result = written[..length].ToArray();
        var rest = written[length..].ToArray();
        part.ResetWrittenCount();
        part.Write(rest);
        return result;
    }

    /// <summary>One sentence's resampling state: the engine's chunks may split a sample, and the filter carries history.</summary>
    private sealed class Converter
    {
        private readonly IResampler? _resampler;
        private readonly int _inputRate;
        private readonly int _outputRate;
        private byte? _oddByte;

        public Converter(int inputRate, int outputRate, int quality)
        {
            _inputRate = inputRate;
            _outputRate = outputRate;
            if (inputRate == outputRate) return;
            _resampler = ResamplerFactory.CreateResampler(1, inputRate, outputRate, quality, null);
            _resampler.SkipZeroes(); // no filter delay at the start of the sentence
        }

        public void Add(ReadOnlySpan<byte> pcm, ArrayBufferWriter<byte> output)
        {
            if (pcm.IsEmpty) return;
            if (_oddByte is { } carried)
            {
                Span<byte> joined = [carried, pcm[0]];
                _oddByte = null;
                Convert(joined, output);
                pcm = pcm[1..];
            }
            if ((pcm.Length & 1) == 1)
            {
                _oddByte = pcm[^1];
                pcm = pcm[..^1];
            }
            Convert(pcm, output);
        }

        /// <summary>Pushes out what the filter still holds at the end of the sentence.</summary>
        public void Flush(ArrayBufferWriter<byte> output)
        {
            if (_resampler is null) return;
            Span<byte> silence = stackalloc byte[_resampler.InputLatency * 2];
            silence.Clear();
            Convert(silence, output);
        }

        private void Convert(ReadOnlySpan<byte> pcm, ArrayBufferWriter<byte> output)
        {
            if (pcm.IsEmpty) return;
            if (_resampler is null)
            {
                output.Write(pcm);
                return;
            }

            var input = MemoryMarshal.Cast<byte, short>(pcm);
            // The resampler takes a writable span; the engine's chunk is read-only, so it is copied into a pooled buffer.
            var inputBuffer = ArrayPool<short>.Shared.Rent(input.Length);
            try
            {
                input.CopyTo(inputBuffer);
                var inRemaining = input.Length;
                var consumed = 0;
                while (inRemaining > 0)
                {
                    var room = (int)((long)inRemaining * _outputRate / _inputRate) + 16;
                    var target = MemoryMarshal.Cast<byte, short>(output.GetSpan(room * 2))[..room];
                    var inLength = inRemaining;
                    var outLength = room;
                    _resampler.Process(0, inputBuffer.AsSpan(consumed, inRemaining), ref inLength, target, ref outLength);
                    output.Advance(outLength * 2);
                    consumed += inLength;
                    inRemaining -= inLength;
                    if (inLength == 0 && outLength == 0) break;
                }
            }
            finally
            {
                ArrayPool<short>.Shared.Return(inputBuffer);
            }
        }
    }
}
