using System.Buffers.Binary;
using Tutor.Contracts.Audio;
using Tutor.Contracts.Devices;
using Tutor.Tests.Infrastructure;
using Tutor.Workers.Speech;

namespace Tutor.Tests.Workers;

/// <summary>The conversion from synthesized speech to the device's PCM, with the real ffmpeg.</summary>
public sealed class DeviceAudioConverterTests
{
    private readonly DeviceAudioConverter _converter = new();

    [Theory]
    [InlineData(24000, 1)]
    [InlineData(44100, 2)]
    [InlineData(16000, 1)]
    public async Task Wav_of_any_rate_becomes_16_kHz_mono_pcm16_of_the_same_duration(int sampleRate, int channels)
    {
        var wav = WavFile.FromPcm16(Tone(sampleRate, channels, TimeSpan.FromSeconds(1.2)), sampleRate, channels);

        var pcm = await _converter.ToDevicePcmAsync(wav, AudioParams.Pcm16Mono16k, CancellationToken.None);

        Assert.InRange(pcm.Length, TestAudio.BytesFor(TimeSpan.FromSeconds(1.2)) - 640, TestAudio.BytesFor(TimeSpan.FromSeconds(1.2)) + 640);
        var peak = Enumerable.Range(0, pcm.Length / 2).Max(i => Math.Abs((int)BinaryPrimitives.ReadInt16LittleEndian(pcm.AsSpan(i * 2))));
        Assert.InRange(peak, 6000, 9000); // the tone survived, at its level
    }

    [Fact]
    public async Task Input_that_is_not_audio_is_refused_with_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            _converter.ToDevicePcmAsync("this is not audio"u8.ToArray(), AudioParams.Pcm16Mono16k, CancellationToken.None));
        Assert.Contains("ffmpeg", error.Message);
    }

    private static byte[] Tone(int sampleRate, int channels, TimeSpan duration)
    {
        var frames = (int)(duration.TotalSeconds * sampleRate);
        var pcm = new byte[frames * channels * 2];
        for (var i = 0; i < frames; i++)
        {
            var value = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / sampleRate));
            for (var c = 0; c < channels; c++) BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan((i * channels + c) * 2), value);
        }
        return pcm;
    }
}
