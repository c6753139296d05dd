using System.Net;
using System.Net.Http.Headers;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Security;

/// <summary>Signing out ends that token, on every gateway — and only that one.</summary>
public sealed class SignOutTests : GatewayTestBed
{
    [Fact]
    public async Task Signing_out_on_one_device_leaves_the_same_parents_other_sign_in_working()
    {
        Gateway.Families.Child("two-phones-child");
        var parent = TestFamilies.ParentOf("two-phones-child");
        // Two sign-ins within the same second (tokens carry times in seconds): they are two tokens nonetheless.
        var phone = await Gateway.SignInAsync(parent);
        var tablet = await Gateway.SignInAsync(parent);

        using var http = new HttpClient { BaseAddress = Gateway.BaseAddress };
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(http, HttpMethod.Post, "/api/auth/sign-out", phone)).StatusCode);

        Assert.NotEqual(phone, tablet);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, HttpMethod.Get, "/api/me", phone)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, "/api/me", tablet)).StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }
}
