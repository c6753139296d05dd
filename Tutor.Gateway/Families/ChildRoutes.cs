using Tutor.Contracts.Families;

namespace Tutor.Gateway.Families;

/// <summary>
/// The routes of one child, <c>/api/children/{userId}/…</c>. Every route in the group answers only the child's own
/// parents: the check is the group's endpoint filter, not a line in each handler, so a new route cannot forget it. A
/// child of another family and a child that does not exist get the same 403 (<see cref="ParentAccess.NotYourChild"/>).
/// </summary>
public static class ChildRoutes
{
    private static readonly object ChildKey = new();

    /// <summary>A group under <c>/api/children/{userId}</c>: signed-in parents, and of that child only.</summary>
    public static RouteGroupBuilder MapChildGroup(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/children/{userId}").RequireAuthorization().AddEndpointFilter(OwnChildOnlyAsync);

    /// <summary>The child of the route, whom the group's filter found to be the signed-in parent's.</summary>
    public static ChildProfile OwnChild(this HttpContext context) =>
        // Stryker disable once string : the wording of a programming error (a handler outside the group), not an answer anyone gets
        context.Items[ChildKey] as ChildProfile ?? throw new InvalidOperationException("OwnChild is for handlers in a MapChildGroup group.");

    private static async ValueTask<object?> OwnChildOnlyAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var access = context.RequestServices.GetRequiredService<ParentAccess>();
        if (context.GetRouteValue("userId") is not string userId
            || await access.ChildOfAsync(context.User, userId, context.RequestAborted) is not { } child) return ParentAccess.NotYourChild();
        context.Items[ChildKey] = child;
        return await next(invocation);
    }
}
