using System.Text.Json;
using StackExchange.Redis;
using Tutor.Contracts.Lessons;
using Tutor.Contracts.Redis;
using Tutor.Device;

namespace Aspire.Hosting;

/// <summary>
/// The dashboard's buttons, so a developer demos the whole lesson without a terminal. On the device simulator each is a
/// real turn of the demo family's child (Tutor.Gateway/families/demo.json) through the gateway, in a synthesized voice
/// (flite's): say hello, answer the current question right or wrong (read from the child's progress
/// and the lesson file), or interrupt the tutor once it speaks. On the workers: start the demo child's lessons afresh.
/// </summary>
public static class DemoCommands
{
    public const string DemoChild = "demo-child";
    public const string SayHello = "say-hello";
    public const string AnswerRight = "answer-right";
    public const string AnswerWrong = "answer-wrong";
    public const string Interrupt = "interrupt";
    public const string ResetProgress = "reset-demo-progress";

    private static readonly TimeSpan TurnTimeout = TimeSpan.FromSeconds(60);

    public static IResourceBuilder<ProjectResource> WithDemoTurns(this IResourceBuilder<ProjectResource> device,
        IResourceBuilder<ProjectResource> gateway, IResourceBuilder<IResourceWithConnectionString> redis, string lessonsDirectory)
    {
        var gatewayHttp = gateway.GetEndpoint("http");
        device.WithCommand(SayHello, "Say hello", context => TurnAsync(context, gatewayHttp, _ => Task.FromResult("hello"), interrupt: false),
            new CommandOptions { Description = "The demo child says hello: a real turn through the gateway.", IconName = "Chat" });
        device.WithCommand(AnswerRight, "Answer right", context => TurnAsync(context, gatewayHttp,
                cancellationToken => AnswerAsync(redis, lessonsDirectory, right: true, cancellationToken), interrupt: false),
            new CommandOptions { Description = "The demo child gives a right answer to the tutor's current question.", IconName = "CheckmarkCircle" });
        device.WithCommand(AnswerWrong, "Answer wrong", context => TurnAsync(context, gatewayHttp,
                cancellationToken => AnswerAsync(redis, lessonsDirectory, right: false, cancellationToken), interrupt: false),
            new CommandOptions { Description = "The demo child gives a wrong answer: the tutor hints, then reveals.", IconName = "DismissCircle" });
        device.WithCommand(Interrupt, "Interrupt", context => TurnAsync(context, gatewayHttp, _ => Task.FromResult("hello"), interrupt: true),
            new CommandOptions { Description = "The demo child speaks, then interrupts the tutor's first sentence (abort).", IconName = "Stop" });
        return device;
    }

    public static IResourceBuilder<ProjectResource> WithDemoReset(this IResourceBuilder<ProjectResource> workers,
        IResourceBuilder<IResourceWithConnectionString> redis) =>
        workers.WithCommand(ResetProgress, "Reset demo child's progress", async context =>
        {
            await using var connection = await ConnectAsync(redis, context.CancellationToken);
            await connection.GetDatabase().KeyDeleteAsync([RedisKeys.ChildProgress(DemoChild), RedisKeys.ChosenLesson(DemoChild)]);
            context.Logger.DemoProgressReset();
            return CommandResults.Success();
        }, new CommandOptions { Description = "Forgets where the demo child is, so the lesson starts again.", IconName = "ArrowReset" });

    private static async Task<ExecuteCommandResult> TurnAsync(ExecuteCommandContext context, EndpointReference gateway,
        Func<CancellationToken, Task<string>> words, bool interrupt)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(TurnTimeout);
        try
        {
            // flite's voice: the offline recognizer hears it best (docs: the recognition benchmark), so a right answer is one.
            var pcm = await SpokenText.SayAsync(await words(timeout.Token), "flite:slt", timeout.Token);
            await using var device = await DeviceClient.ConnectAsync(new Uri(gateway.Url), DemoChild, SimulatorOptions.DemoToken, DeviceProfile.Pcm16,
                timeout.Token);
            await device.SpeakAsync(pcm, TurnTaking.Manual, realTime: true, timeout.Token);
            var aborted = false;
            var reply = await device.ListenForReplyAsync(timeout.Token, async heard =>
            {
                if (!interrupt || aborted) return;
                aborted = true;
                await device.AbortAsync(timeout.Token);
            });
            if (reply.Error is { } error) return CommandResults.Failure($"The gateway answered {error.Code}: {error.Message}");
            // Counts only: what was said is on the parents' page, not in the logs.
            context.Logger.DemoTurn(pcm.Length / 32000.0, reply.Sentences.Count, reply.Audio.Length / 32000.0, aborted);
            return CommandResults.Success();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or System.Net.WebSockets.WebSocketException or OperationCanceledException
            or RedisException)
        {
            return CommandResults.Failure(ex.Message);
        }
    }

    /// <summary>A right (the step's first expected answer) or wrong (another of the lesson's words) answer to the current question.</summary>
    private static async Task<string> AnswerAsync(IResourceBuilder<IResourceWithConnectionString> redis, string lessonsDirectory, bool right,
        CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(redis, cancellationToken);
        var progress = await connection.GetDatabase().ReadChildProgressAsync(DemoChild, cancellationToken);
        if (progress?.LessonId is not { } lessonId || progress.StepId is not { } stepId) return "hello"; // a new child: the lesson opens
        using var lesson = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(lessonsDirectory, $"{lessonId}.json"), cancellationToken));
        var step = lesson.RootElement.GetProperty("steps").EnumerateArray().First(s => s.GetProperty("id").GetString() == stepId);
        var expected = step.TryGetProperty("expect", out var expect) ? expect.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
        if (right) return expected.FirstOrDefault() ?? "yes";
        var vocabulary = lesson.RootElement.GetProperty("vocabulary").EnumerateArray().Select(v => v.GetString()!);
        return vocabulary.FirstOrDefault(word => !expected.Any(e => e.Contains(word, StringComparison.OrdinalIgnoreCase))) ?? "banana";
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(IResourceBuilder<IResourceWithConnectionString> redis, CancellationToken cancellationToken) =>
        await ConnectionMultiplexer.ConnectAsync(await redis.Resource.GetConnectionStringAsync(cancellationToken)
            ?? throw new InvalidOperationException("Redis has no connection string yet."));
}
