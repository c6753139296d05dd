using System.Diagnostics;

namespace Tutor.Contracts.Diagnostics;

/// <summary>Carries a trace across Redis pub/sub, which has no headers, as a W3C <c>traceparent</c> string.</summary>
public static class TraceContext
{
    public static string? Current() => Activity.Current?.Id is { } id && Activity.Current.IdFormat == ActivityIdFormat.W3C ? id : null;

    /// <summary>The parent context to start a consumer's activity under, or default when there is none.</summary>
    public static ActivityContext Parse(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var context) ? context : default;
}
