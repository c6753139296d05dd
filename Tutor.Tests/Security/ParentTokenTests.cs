using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Security;

/// <summary>
/// What makes a parent's token good on the embedded default (local sign-in): signed with the gateway's key, for Tutor's
/// issuer and audience, with an expiry that has not passed (a minute of clock skew allowed), and sent where it belongs.
/// Each case is a token an attacker or a broken client could present; the control is the same token done right.
/// </summary>
public sealed class ParentTokenTests : GatewayTestBed
{
    private const string Child = "token-child";
    private static readonly string Parent = TestFamilies.ParentOf(Child);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Gateway.Families.Child(Child);
    }

    [Fact]
    public async Task A_well_made_token_is_accepted_even_from_a_phone_whose_clock_is_half_a_minute_off()
    {
        Assert.Equal(HttpStatusCode.OK, await MeAsync(Mint()));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(Expiring(DateTime.UtcNow.AddSeconds(-30))));
    }

    [Fact]
    public async Task A_token_expired_beyond_the_minute_of_skew_is_refused()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Expiring(DateTime.UtcNow.AddMinutes(-2))));
    }

    [Fact]
    public async Task A_token_without_an_expiry_is_refused()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Expiring(null)));
    }

    [Fact]
    public async Task An_unsigned_token_is_refused()
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        var payload = Base64UrlEncoder.Encode($$"""{"sub":"{{Parent}}","iss":"tutor-local","aud":"tutor-parents","exp":{{exp}}}""");

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync($"{header}.{payload}."));
    }

    [Fact]
    public async Task A_token_for_another_issuer_or_audience_is_refused()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Mint(issuer: "someone-else")));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Mint(audience: "another-app")));
    }

    [Fact]
    public async Task A_token_in_the_query_string_counts_only_on_the_transcript_hub()
    {
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };

        var answer = await http.GetAsync($"/api/children/{Child}/devices?access_token={Uri.EscapeDataString(Mint())}");

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
    }

    [Fact]
    public async Task The_transcript_hub_takes_the_token_from_the_query_string_as_browsers_send_it()
    {
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };
        var negotiate = $"{Tutor.Realtime.Transcripts.TranscriptHub.Path}/negotiate?negotiateVersion=1";

        var withToken = await http.PostAsync($"{negotiate}&access_token={Uri.EscapeDataString(Mint())}", null);
        var without = await http.PostAsync(negotiate, null);

        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
    }

    private async Task<HttpStatusCode> MeAsync(string token)
    {
        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await http.GetAsync($"/api/children/{Child}/devices")).StatusCode;
    }

    private static string Mint(string issuer = "tutor-local", string audience = "tutor-parents") => Mint(issuer, audience, DateTime.UtcNow.AddMinutes(5));

    private static string Expiring(DateTime? expires) => Mint("tutor-local", "tutor-parents", expires);

    private static string Mint(string issuer, string audience, DateTime? expires) => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }
        .CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = Parent },
            IssuedAt = DateTime.UtcNow.AddMinutes(-10),
            NotBefore = DateTime.UtcNow.AddMinutes(-10),
            Expires = expires,
            SigningCredentials = new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(GatewayHost.TestSigningKey)), SecurityAlgorithms.HmacSha256),
        });
}
