using System.Buffers.Binary;

namespace Tutor.Tests.Infrastructure;

/// <summary>Utterance audio for tests: PCM16 LE 16 kHz mono, with content that differs per call.</summary>
public static class TestAudio
{
    public const int SampleRate = 16000;

    public static byte[] Utterance(TimeSpan duration, double frequency = 220)
    {
        var samples = (int)(duration.TotalSeconds * SampleRate);
        var pcm = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), (short)(6000 * Math.Sin(2 * Math.PI * frequency * i / SampleRate)));
        }
        return pcm;
    }

    public static int BytesFor(TimeSpan duration) => (int)(duration.TotalSeconds * SampleRate) * 2;
}
