using Tutor.Benchmarks.Load;

namespace Tutor.Tests.Load;

/// <summary>
/// A short run of the load benchmark, as an operator runs it: redis-server, a gateway and two worker processes from the
/// build output, devices over real WebSockets. It asserts what must hold under any load — nothing lost, nothing
/// answered twice, no process dead — and no time: speed is the benchmark's to report (README, "Benchmarks").
/// </summary>
public sealed class LoadRunTests
{
    [Fact]
    public async Task Twenty_devices_talking_at_once_are_each_answered_once_and_nothing_is_lost()
    {
        var figures = await LoadBenchmark.RunAsync(new LoadOptions
        {
            Devices = 20,
            Turns = 2,
            Workers = 2,
            UtteranceSeconds = 1,
            PauseSeconds = 0.5,
            Latencies = EngineLatencies.Instant with { SpeechSpeed = 8 },
            Name = "load-test",
        });

        Assert.Equal(40, figures.TurnsSent);
        Assert.Equal(0, figures.Lost);
        Assert.Equal(0, figures.AnsweredTwice);
        Assert.Equal(figures.TurnsSent, figures.Answered + figures.ToldError); // answered, or told why not
        Assert.Equal(0, figures.DeviceFailures);
        Assert.Empty(figures.ProcessesDied);
    }
}
