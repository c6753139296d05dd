using Microsoft.Extensions.Options;
using Tutor.Workers.Speech;

namespace Tutor.Tests.Workers;

/// <summary>The offline engines need the CPU: no more of them run at once than the gate allows.</summary>
public sealed class OfflineEngineGateTests
{
    [Fact]
    public async Task No_more_offline_engine_calls_run_at_once_than_configured()
    {
        var gate = new OfflineEngineGate(Options.Create(new OfflineSpeechOptions { MaxConcurrentCalls = 2 }));
        var running = 0;
        var most = 0;
        var calls = Enumerable.Range(0, 8).Select(_ => gate.RunAsync(async () =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await Task.Delay(50);
            Interlocked.Decrement(ref running);
            return now;
        }, CancellationToken.None));

        await Task.WhenAll(calls);

        Assert.Equal(2, most);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
