using System.Buffers.Binary;

namespace Tutor.Contracts.Audio;

/// <summary>PCM16 little-endian audio and its RIFF/WAVE container (a 44-byte header, no conversion).</summary>
public static class WavFile
{
    private const int HeaderLength = 44;

    public static byte[] FromPcm16(ReadOnlySpan<byte> pcm, int sampleRate, int channels)
    {
        var wav = new byte[HeaderLength + pcm.Length];
        var span = wav.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + pcm.Length);
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], (short)channels);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], sampleRate * channels * 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], (short)(channels * 2));
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], pcm.Length);
        pcm.CopyTo(span[HeaderLength..]);
        return wav;
    }

    /// <summary>Reads a PCM16 WAV file's samples and format; other encodings are refused with a message that says why.</summary>
    public static PcmAudio ReadPcm16(ReadOnlySpan<byte> wav)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav[8..12].SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException("Not a RIFF/WAVE file.");
        }

        int? sampleRate = null, channels = null;
        var offset = 12;
        while (offset + 8 <= wav.Length)
        {
            var id = wav.Slice(offset, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav[(offset + 4)..]);
            var body = offset + 8;
            if (size < 0) throw new InvalidDataException("Corrupt WAV chunk size.");
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > wav.Length) throw new InvalidDataException("Truncated WAV fmt chunk.");
                var format = BinaryPrimitives.ReadInt16LittleEndian(wav[body..]);
                var bits = BinaryPrimitives.ReadInt16LittleEndian(wav[(body + 14)..]);
                if (format != 1 || bits != 16)
                {
                    throw new InvalidDataException($"Only 16-bit PCM WAV is supported (this file: format {format}, {bits} bits).");
                }
                channels = BinaryPrimitives.ReadInt16LittleEndian(wav[(body + 2)..]);
                sampleRate = BinaryPrimitives.ReadInt32LittleEndian(wav[(body + 4)..]);
                if (channels <= 0 || sampleRate <= 0) throw new InvalidDataException($"WAV with {channels} channels at {sampleRate} Hz.");
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (sampleRate is null || channels is null) throw new InvalidDataException("WAV data chunk before its fmt chunk.");
                var length = Math.Min(size, wav.Length - body);
                return new PcmAudio(wav.Slice(body, length).ToArray(), sampleRate.Value, channels.Value);
            }
            offset = body + size + (size & 1);
        }

        throw new InvalidDataException("WAV file has no data chunk.");
    }
}

/// <summary>PCM16 little-endian samples with their format.</summary>
public sealed record PcmAudio(byte[] Samples, int SampleRate, int Channels)
{
    public TimeSpan Duration => TimeSpan.FromSeconds(Samples.Length / (2.0 * Channels * SampleRate));
}
