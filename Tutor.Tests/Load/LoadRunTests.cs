using Tutor.Benchmarks.Load;

namespace Tutor.Tests.Load;

/// <summary>
/// Short runs of the load benchmark and its fault harness, as an operator runs them: redis-server, a gateway and two
/// worker processes from the build output, devices over real WebSockets. They assert what must hold under any load and
/// any of these faults — nothing lost, nothing answered twice, no process dead — and no time: speed is the benchmark's
/// to report (README, "Benchmarks").
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

    [Fact]
    public async Task A_killed_worker_a_restarted_Redis_and_a_restarted_gateway_lose_nothing_and_answer_nothing_twice()
    {
        var options = LoadOptions.Parse(
        [
            "--devices", "6", "--turns", "3", "--workers", "2", "--utterance-seconds", "1", "--pause-seconds", "0.5",
            "--redis-persistence", "aof", "--name", "faults-test",
            "--fault", "3:kill-worker-1", "--fault", "5:start-worker-1", "--fault", "9:restart-redis", "--fault", "15:restart-gateway",
        ]) with { Latencies = EngineLatencies.Instant with { SpeechSpeed = 8 } };

        var figures = await LoadBenchmark.RunAsync(options);

        Assert.Equal(4, figures.Faults.Count);
        Assert.Equal(18, figures.TurnsSent);
        Assert.Equal(0, figures.Lost); // every turn answered, or the device told something it can act on
        Assert.Equal(figures.TurnsSent, figures.Answered + figures.ToldError);
        Assert.Equal(0, figures.AnsweredTwice);
        Assert.Equal(0, figures.FramesAfterTheirTurnEnded);
        Assert.Equal(0, figures.DeviceFailures);
        Assert.Empty(figures.ProcessesDied); // none but the killed ones, which were started again
    }
}
