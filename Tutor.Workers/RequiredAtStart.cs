namespace Tutor.Workers;

/// <summary>Builds <typeparamref name="T"/> when the worker starts, so that its checks (lesson files, say) stop a broken worker at once.</summary>
public sealed class RequiredAtStart<T>(IServiceProvider services) : IHostedService where T : notnull
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<T>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
