using System.Buffers.Binary;

namespace Tutor.Tests.Infrastructure;

public static class AudioSimilarity
{
    /// <summary>
    /// Pearson correlation of two PCM16 signals' loudness envelopes (RMS per 20 ms), the best over a delay of up to
    /// 100 ms: near 1 when they carry the same sound, however a lossy codec changed the waveform and delayed it.
    /// </summary>
    public static double EnvelopeCorrelation(byte[] a, byte[] b)
    {
        var x = Envelope(a);
        var y = Envelope(b);
        return Enumerable.Range(0, 6).Max(lag => Correlation(x, y.Skip(lag).ToArray()));
    }

    private static double Correlation(double[] x, double[] y)
    {
        var n = Math.Min(x.Length, y.Length);
        double meanX = x.Take(n).Average(), meanY = y.Take(n).Average();
        double cov = 0, varX = 0, varY = 0;
        for (var i = 0; i < n; i++)
        {
            cov += (x[i] - meanX) * (y[i] - meanY);
            varX += (x[i] - meanX) * (x[i] - meanX);
            varY += (y[i] - meanY) * (y[i] - meanY);
        }
        return cov / Math.Sqrt(varX * varY);
    }

    private static double[] Envelope(byte[] pcm)
    {
        const int window = 320; // 20 ms at 16 kHz
        var samples = pcm.Length / 2;
        var envelope = new double[samples / window];
        for (var w = 0; w < envelope.Length; w++)
        {
            double sum = 0;
            for (var i = 0; i < window; i++)
            {
                double s = BinaryPrimitives.ReadInt16LittleEndian(pcm.AsSpan((w * window + i) * 2));
                sum += s * s;
            }
            envelope[w] = Math.Sqrt(sum / window);
        }
        return envelope;
    }
}
