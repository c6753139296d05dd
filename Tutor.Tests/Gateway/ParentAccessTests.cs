using System.Security.Claims;
using Tutor.Gateway.Families;

namespace Tutor.Tests.Gateway;

/// <summary>Who is a developer: only a token whose <c>admin</c> claim says <c>true</c> — Firebase tokens carry other "true" claims.</summary>
public sealed class ParentAccessTests
{
    [Theory]
    [InlineData("admin", "true", true)]
    [InlineData("admin", "TRUE", true)]
    [InlineData("admin", "false", false)]
    [InlineData("email_verified", "true", false)] // every verified Firebase user has it: no developer for that
    [InlineData("role", "admin", false)]
    public void Only_an_admin_claim_that_says_true_makes_a_developer(string type, string value, bool admin)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "someone"), new Claim(type, value)], "test"));

        Assert.Equal(admin, ParentAccess.IsAdmin(user));
    }

    [Fact]
    public void A_refusal_tells_the_parent_why_in_the_problem_the_page_shows()
    {
        var refusal = ParentAccess.NotYourChild();

        Assert.Equal(403, refusal.StatusCode);
        Assert.Contains("not a parent of that child", refusal.ProblemDetails.Detail);
    }
}
