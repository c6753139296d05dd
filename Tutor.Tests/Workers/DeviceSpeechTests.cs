using System.Buffers.Binary;
using Tutor.Contracts.Audio;
using Tutor.Contracts.Devices;
using Tutor.Tests.Infrastructure;
using Tutor.Workers.Speech;

namespace Tutor.Tests.Workers;

/// <summary>Streamed speech made the device's in-process: resampled to 16 kHz, cut into parts that grow.</summary>
public sealed class DeviceSpeechTests
{
    [Theory]
    [InlineData(24000)]
    [InlineData(22050)]
    [InlineData(44100)]
    [InlineData(16000)]
    public async Task Speech_of_any_rate_becomes_16_kHz_pcm16_of_the_same_duration_pitch_and_level(int sampleRate)
    {
        var tone = Tone(sampleRate, 440, TimeSpan.FromSeconds(1.2));

        var pcm = await DeviceSpeech.ToDevicePcmAsync(InPieces(tone, sampleRate, 999), AudioParams.Pcm16Mono16k, CancellationToken.None);

        var expected = TestAudio.BytesFor(TimeSpan.FromSeconds(1.2));
        Assert.InRange(pcm.Length, expected - 64, expected + 64);
        var samples = Enumerable.Range(0, pcm.Length / 2).Select(i => BinaryPrimitives.ReadInt16LittleEndian(pcm.AsSpan(i * 2))).ToArray();
        Assert.InRange(samples[200..^200].Max(s => Math.Abs((int)s)), 7200, 8800); // the tone's level survived
        // 440 Hz is 880 zero crossings a second.
        var crossings = Enumerable.Range(1, samples.Length - 1).Count(i => (samples[i - 1] < 0) != (samples[i] < 0));
        Assert.InRange(crossings / 1.2, 860, 900);
    }

    [Fact]
    public async Task Streamed_speech_leaves_in_a_120_ms_part_then_in_parts_that_double()
    {
        var tone = Tone(24000, 440, TimeSpan.FromSeconds(6));

        // 50 ms pieces at a time, as an engine streaming near real time sends them.
        var parts = await PartsAsync(InPieces(tone, 24000, 2400));

        Assert.Equal(3840, parts[0].Length); // exactly 120 ms
        for (var i = 1; i < parts.Count - 1; i++)
        {
            // Each leaves once twice the one before has arrived, and is whole 120 ms units: no frame of any length the
            // protocol allows (10–60 ms) is cut in the middle of a sentence.
            Assert.Equal(0, parts[i].Length % 3840);
            Assert.InRange(parts[i].Length, 2 * parts[i - 1].Length, 2 * parts[i - 1].Length + 3840);
        }
        Assert.InRange(parts.Count, 5, 7);
        Assert.InRange(parts.Sum(p => p.Length), TestAudio.BytesFor(TimeSpan.FromSeconds(6)) - 64, TestAudio.BytesFor(TimeSpan.FromSeconds(6)) + 64);
    }

    [Fact]
    public async Task Speech_that_arrives_all_at_once_leaves_in_few_parts_of_at_most_four_seconds()
    {
        var tone = Tone(24000, 440, TimeSpan.FromSeconds(10));

        var parts = await PartsAsync(InPieces(tone, 24000, tone.Length));

        Assert.Equal([120, 3960, 3960], parts.Take(3).Select(p => p.Length / 32)); // 4 s rounded down to whole 120 ms
        Assert.InRange(Assert.Single(parts.Skip(3)).Length / 32, 1950, 1970);
    }

    private static async Task<List<byte[]>> PartsAsync(IAsyncEnumerable<SpeechChunk> speech)
    {
        var parts = new List<byte[]>();
        await foreach (var part in DeviceSpeech.ToDeviceAsync(speech, AudioParams.Pcm16Mono16k, CancellationToken.None)) parts.Add(part);
        Assert.All(parts, p => Assert.Equal(0, p.Length % 2));
        return parts;
    }

    [Fact]
    public async Task How_the_engine_splits_its_stream_does_not_change_the_audio()
    {
        var tone = Tone(24000, 300, TimeSpan.FromSeconds(0.8));

        var whole = await DeviceSpeech.ToDevicePcmAsync(InPieces(tone, 24000, tone.Length), AudioParams.Pcm16Mono16k, CancellationToken.None);
        var odd = await DeviceSpeech.ToDevicePcmAsync(InPieces(tone, 24000, 777), AudioParams.Pcm16Mono16k, CancellationToken.None);

        Assert.Equal(whole, odd);
    }

    [Fact]
    public async Task A_wav_that_is_not_speech_is_refused_with_a_clear_error()
    {
        var stereo = WavFile.FromPcm16(new byte[4000], 16000, 2);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            DeviceSpeech.ToDevicePcmAsync(DeviceSpeech.FromWav(stereo), AudioParams.Pcm16Mono16k, CancellationToken.None));
        Assert.Contains("mono", error.Message);
        await Assert.ThrowsAsync<InvalidDataException>(() =>
            DeviceSpeech.ToDevicePcmAsync(DeviceSpeech.FromWav("this is not audio"u8.ToArray()), AudioParams.Pcm16Mono16k, CancellationToken.None));
    }

    /// <summary>The speech as an engine streams it: pieces of <paramref name="size"/> bytes, which may split a sample.</summary>
    private static async IAsyncEnumerable<SpeechChunk> InPieces(byte[] pcm, int sampleRate, int size)
    {
        for (var offset = 0; offset < pcm.Length; offset += size)
        {
            await Task.Yield();
            yield return new SpeechChunk(pcm.AsMemory(offset, Math.Min(size, pcm.Length - offset)), sampleRate);
        }
    }

    private static byte[] Tone(int sampleRate, int frequency, TimeSpan duration)
    {
        var samples = (int)(duration.TotalSeconds * sampleRate);
        var pcm = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), (short)(8000 * Math.Sin(2 * Math.PI * frequency * i / sampleRate)));
        }
        return pcm;
    }
}
