using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps the dashboard's traces for work: a Redis command with no span around it is a background loop polling (the
/// queue's read, a lease sweep, a keep-alive, a presence refresh) and makes no trace of its own; a Redis command inside
/// a turn or a request is that span's child and is kept. Everything else is sampled as its parent was (all roots kept).
/// </summary>
public sealed class BackgroundCommandsSampler : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private readonly Sampler _otherwise = new ParentBasedSampler(new AlwaysOnSampler());

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        if (samplingParameters.ParentContext.TraceId == default && IsRedisCommand(samplingParameters.Tags)) return Drop;
        return _otherwise.ShouldSample(samplingParameters);
    }

    private static bool IsRedisCommand(IEnumerable<KeyValuePair<string, object?>>? tags)
    {
        if (tags is null) return false;
        foreach (var (key, value) in tags)
        {
            if (key is "db.system" or "db.system.name" && value is "redis") return true;
        }
        return false;
    }
}
