namespace Tutor.Tests.Infrastructure;

/// <summary>
/// The tests that run the engines themselves (pocketsphinx, flite, Whisper, Llama) take a core each while they decode:
/// one class of them at a time, so on two cores they never starve the rest of the suite's Redis and sockets of CPU.
/// </summary>
[CollectionDefinition(Collection)]
public sealed class EngineTests
{
    public const string Collection = "engines";
}
