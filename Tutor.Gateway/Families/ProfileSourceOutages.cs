namespace Tutor.Gateway.Families;

public static class ProfileSourceOutages
{
    /// <summary>A profile source that does not answer (Firestore down, a broken family file) is a clear 503, not a 500.</summary>
    public static RouteGroupBuilder AnswersProfileSourceOutages(this RouteGroupBuilder group) => group.AddEndpointFilter(async (context, next) =>
    {
        try
        {
            return await next(context);
        }
        catch (ProfileSourceUnavailableException ex)
        {
            context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProfileSourceOutages))
                .ProfileSourceDown(ex);
            return Results.Problem("The family service is temporarily unavailable; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    });
}
