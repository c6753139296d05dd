using Tutor.Contracts.Audio;
using Tutor.Contracts.Redis;

namespace Tutor.Tests.Contracts;

public sealed class WavFileTests
{
    [Fact]
    public void A_wav_written_is_read_back_with_its_format_and_samples()
    {
        var pcm = Enumerable.Range(0, 3200).Select(i => (byte)i).ToArray();
        var audio = WavFile.ReadPcm16(WavFile.FromPcm16(pcm, 16000, 1));
        Assert.Equal((16000, 1), (audio.SampleRate, audio.Channels));
        Assert.Equal(pcm, audio.Samples);
        Assert.Equal(TimeSpan.FromMilliseconds(100), audio.Duration);
    }

    [Fact]
    public void A_device_recorded_file_with_extra_chunks_is_read()
    {
        // espeak-ng and ffmpeg write a LIST chunk before the data.
        var wav = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "samples", "hello.wav"));
        var audio = WavFile.ReadPcm16(wav);
        Assert.Equal((16000, 1), (audio.SampleRate, audio.Channels));
        Assert.InRange(audio.Duration.TotalSeconds, 2, 5);
    }

    [Theory]
    [InlineData("not a wav file at all")]
    [InlineData("RIFF\0\0\0\0WAVEfmt ")]
    [InlineData("RIFF\0\0\0\0WAVEfmt \u0010\0\0\0\u0001\0")]
    [InlineData("RIFF\0\0\0\0WAVEdata\u0004\0\0\0abcd")]
    public void Anything_else_is_refused_with_a_reason(string content)
    {
        var error = Assert.Throws<InvalidDataException>(() => WavFile.ReadPcm16(System.Text.Encoding.ASCII.GetBytes(content)));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("audio:abc:0f8fad5b-d9cb-469f-a165-70867728950e", "abc")]
    [InlineData("response:abc:0f8fad5b-d9cb-469f-a165-70867728950e", "abc")]
    [InlineData("session:abc", null)]
    [InlineData("audio::x", null)]
    [InlineData("claim:audio:abc:x", null)]
    public void The_session_of_a_key_is_read_only_from_our_own_keys(string key, string? session)
    {
        Assert.Equal(session, RedisKeys.SessionOf(key));
    }
}
