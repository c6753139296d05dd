namespace Tutor.Tests.Infrastructure;

/// <summary>
/// Tests that read everything the process exports: in-process hosts share one set of activity listeners, so another
/// test's turn would land in their capture. They run alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Collection, DisableParallelization = true)]
public sealed class AloneTests
{
    public const string Collection = "alone";
}
