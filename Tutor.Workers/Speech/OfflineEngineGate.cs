using Microsoft.Extensions.Options;

namespace Tutor.Workers.Speech;

/// <summary>
/// The offline engines (espeak-ng, pocketsphinx) need the CPU, unlike remote ones that mostly wait: at most
/// <see cref="OfflineSpeechOptions.MaxConcurrentCalls"/> of them run at once in this worker, and the other turns wait
/// their turn here instead of all competing for the cores at once.
/// </summary>
public sealed class OfflineEngineGate(IOptions<OfflineSpeechOptions> options)
{
    private readonly SemaphoreSlim _calls = new(options.Value.MaxConcurrentCalls ?? Environment.ProcessorCount);

    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        await _calls.WaitAsync(cancellationToken);
        try
        {
            return await call();
        }
        finally
        {
            _calls.Release();
        }
    }
}
