using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Tutor.Realtime.Transcripts;

namespace Tutor.Gateway.Families;

public static class ParentAuthentication
{
    /// <summary>
    /// Parents present a bearer token: a Firebase ID token (issuer and audience of the project, keys from Google) when
    /// Firebase is configured, otherwise a token from the local sign-in. SignalR clients pass it as <c>access_token</c>.
    /// </summary>
    public static void AddParentAuthentication(this IHostApplicationBuilder builder, FirebaseOptions firebase)
    {
        var development = builder.Environment.IsDevelopment();
        if (firebase.IsConfigured && !development && firebase.MetadataAddress is { } metadata
            && !metadata.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Firebase:MetadataAddress must be https outside Development (it is {metadata}).");
        }

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddAuthorization(authorization => authorization.AddPolicy(ParentAccess.DeveloperPolicy,
            policy => policy.RequireAuthenticatedUser().RequireAssertion(context => ParentAccess.IsAdmin(context.User))));
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<LocalTokenIssuer>((jwt, local) =>
            {
                jwt.MapInboundClaims = false;
                // Google's metadata is https. Only in Development may it be plain http (a stand-in, an emulator); elsewhere
                // the gateway does not start with such an address (AddFamilies).
                jwt.RequireHttpsMetadata = !development;
                if (firebase.IsConfigured)
                {
                    jwt.Authority = firebase.Issuer;
                    // Stryker disable once string : with none given, JwtBearer makes this same address from the authority
                    jwt.MetadataAddress = firebase.MetadataAddress ?? $"{firebase.Issuer}/.well-known/openid-configuration";
                    jwt.TokenValidationParameters = new TokenValidationParameters
                    {
                        ValidIssuer = firebase.Issuer,
                        ValidAudience = firebase.ProjectId,
                        ValidateLifetime = true,
                        RequireSignedTokens = true,
                        RequireExpirationTime = true,
                        ClockSkew = TimeSpan.FromMinutes(1),
                    };
                }
                else
                {
                    jwt.TokenValidationParameters = new TokenValidationParameters
                    {
                        ValidIssuer = LocalTokenIssuer.Issuer,
                        ValidAudience = LocalTokenIssuer.Audience,
                        ValidateLifetime = true,
                        RequireSignedTokens = true,
                        RequireExpirationTime = true,
                        IssuerSigningKey = local.SigningKey,
                        ClockSkew = TimeSpan.FromMinutes(1),
                    };
                }

                jwt.Events = new JwtBearerEvents
                {
                    // A token signed out is refused on every gateway; the fingerprint rides along for the hub's later checks.
                    OnTokenValidated = async context =>
                    {
                        if (context.SecurityToken is not Microsoft.IdentityModel.JsonWebTokens.JsonWebToken token) return;
                        var fingerprint = SignedOutTokens.Fingerprint(token.EncodedToken);
                        var signedOut = context.HttpContext.RequestServices.GetRequiredService<SignedOutTokens>();
                        if (await signedOut.IsSignedOutAsync(fingerprint, context.HttpContext.RequestAborted))
                        {
                            // Stryker disable once string : the reason reaches only the authentication handler's debug log; the caller gets a bare 401
                            context.Fail("This token was signed out.");
                            return;
                        }
                        (context.Principal?.Identity as System.Security.Claims.ClaimsIdentity)?.AddClaim(
                            new System.Security.Claims.Claim(SignedOutTokens.FingerprintClaim, fingerprint));
                    },
                    // Browsers cannot set headers on WebSockets: SignalR sends the token in the query string.
                    OnMessageReceived = context =>
                    {
                        if (context.Request.Path.StartsWithSegments(TranscriptHub.Path)
                            && context.Request.Query["access_token"] is { Count: > 0 } token)
                        {
                            context.Token = token.ToString();
                        }
                        return Task.CompletedTask;
                    },
                };
            });
    }
}
