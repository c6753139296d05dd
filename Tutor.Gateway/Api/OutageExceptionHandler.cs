using Microsoft.AspNetCore.Diagnostics;
using Tutor.Contracts.Redis;
using Tutor.Gateway.Families;

namespace Tutor.Gateway.Api;

/// <summary>
/// One answer, on every endpoint, when what the gateway depends on is down — the profile source (Firestore, the family
/// files) or Redis: a 503 problem with <c>Retry-After</c>, never a bare 500. Other failures are left to the default
/// handler (a 500 problem without details).
/// </summary>
internal sealed partial class OutageExceptionHandler(IProblemDetailsService problems, ILogger<OutageExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var service = exception switch
        {
            ProfileSourceUnavailableException => "family service",
            _ when exception.IsRedisFailure() => "service",
            _ => null,
        };
        if (service is null) return false;

        Outage(logger, exception, httpContext.Request.Path);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service unavailable",
                Detail = $"The {service} is temporarily unavailable; try again shortly.",
            },
        });
    }

    [LoggerMessage(1500, LogLevel.Error, "{Path} answered 503: a service it depends on is down")]
    private static partial void Outage(ILogger logger, Exception exception, string path);
}
