using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Tutor.Tests.Infrastructure;

/// <summary>
/// A local server speaking the parts of Google's APIs Tutor uses: Firestore's REST documents (typed-value JSON, 404s,
/// failures and slowness on demand), the OAuth token endpoint a service account signs in at, and the OpenID metadata and
/// keys that Firebase ID tokens are checked against. It lives in the tests only; it also mints ID tokens with its own key.
/// </summary>
public sealed class FirebaseStandIn : IAsyncLifetime, IAsyncDisposable
{
    public const string ProjectId = "tutor-test-project";
    public const string AccessToken = "ya29.stand-in-access-token";

    private readonly RSA _signingKey = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, JsonObject> _documents = new();
    private WebApplication? _app;

    public Uri Address { get; private set; } = null!;

    public string Issuer => $"https://securetoken.google.com/{ProjectId}";

    public string MetadataAddress => new Uri(Address, "/.well-known/openid-configuration").ToString();

    public string EmulatorHost => Address.Authority;

    /// <summary>Requests for documents, by user id (reads and writes).</summary>
    public ConcurrentQueue<(string Method, string UserId, string? Authorization)> DocumentRequests { get; } = new();

    /// <summary>How many more requests for a user fail with 500 before it is served.</summary>
    public ConcurrentDictionary<string, int> Failures { get; } = new();

    /// <summary>How long requests for a user take.</summary>
    public ConcurrentDictionary<string, TimeSpan> Delays { get; } = new();

    /// <summary>The bearer token Firestore requests must carry: the OAuth token, or <c>owner</c> for the emulator.</summary>
    public string ExpectedAuthorization { get; set; } = $"Bearer {AccessToken}";

    public int TokenRequests;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/token", IssueAccessTokenAsync);
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = new Uri(Address, "/jwks").ToString(),
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        _app.MapGet("/jwks", () => Results.Json(new { keys = new[] { PublicJwk() } }));
        _app.Map("/v1/{**path}", ServeDocumentAsync);
        await _app.StartAsync();
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _signingKey.Dispose();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    /// <summary>Stores a child's document as Firestore holds it.</summary>
    public void PutChild(string userId, string name, int age, IEnumerable<string> parents, IEnumerable<(string Id, string Sha256)> secrets) =>
        _documents[userId] = new JsonObject
        {
            ["name"] = $"projects/{ProjectId}/databases/(default)/documents/users/{userId}",
            ["fields"] = new JsonObject
            {
                ["name"] = new JsonObject { ["stringValue"] = name },
                ["age"] = new JsonObject { ["integerValue"] = age.ToString() },
                ["nativeLanguage"] = new JsonObject { ["stringValue"] = "es" },
                ["targetLanguage"] = new JsonObject { ["stringValue"] = "en" },
                ["level"] = new JsonObject { ["stringValue"] = "beginner" },
                ["parents"] = new JsonObject { ["arrayValue"] = new JsonObject { ["values"] = new JsonArray(parents.Select(p => (JsonNode)new JsonObject { ["stringValue"] = p }).ToArray()) } },
                ["deviceSecrets"] = new JsonObject
                {
                    ["arrayValue"] = new JsonObject
                    {
                        ["values"] = new JsonArray(secrets.Select(s => (JsonNode)new JsonObject
                        {
                            ["mapValue"] = new JsonObject
                            {
                                ["fields"] = new JsonObject
                                {
                                    ["id"] = new JsonObject { ["stringValue"] = s.Id },
                                    ["sha256"] = new JsonObject { ["stringValue"] = s.Sha256 },
                                    ["created"] = new JsonObject { ["timestampValue"] = "2026-11-01T10:00:00.123456Z" },
                                    ["revoked"] = new JsonObject { ["booleanValue"] = false },
                                },
                            },
                        }).ToArray()),
                    },
                },
            },
            ["createTime"] = "2026-11-01T10:00:00.123456Z",
            ["updateTime"] = "2026-11-01T10:00:00.123456Z",
        };

    public JsonObject? Document(string userId) => _documents.GetValueOrDefault(userId);

    /// <summary>A Firebase ID token for <paramref name="parentUid"/>, signed by this stand-in's key unless told otherwise.</summary>
    /// <param name="withoutExpiry">A token with no <c>exp</c> at all, which Firebase never issues.</param>
    public string IdToken(string parentUid, string? issuer = null, string? audience = null, DateTime? expires = null, SecurityKey? key = null, bool unsigned = false,
        bool withoutExpiry = false)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience ?? ProjectId,
            Subject = new ClaimsIdentity([new Claim("sub", parentUid), new Claim("user_id", parentUid)]),
            IssuedAt = (expires ?? now.AddHours(1)).AddHours(-1),
            NotBefore = (expires ?? now.AddHours(1)).AddHours(-1),
            Expires = withoutExpiry ? null : expires ?? now.AddHours(1),
        };
        if (!unsigned)
        {
            descriptor.SigningCredentials = new SigningCredentials(key ?? new RsaSecurityKey(_signingKey) { KeyId = "stand-in-1" }, SecurityAlgorithms.RsaSha256);
        }
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = !withoutExpiry }.CreateToken(descriptor);
    }

    /// <summary>A service-account key file whose token endpoint is this stand-in, as Google.Apis.Auth reads it.</summary>
    public string WriteServiceAccountKey(string directory)
    {
        using var rsa = RSA.Create(2048);
        var path = Path.Combine(directory, "service-account.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = ProjectId,
            ["private_key_id"] = "stand-in-key",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = $"tutor@{ProjectId}.iam.gserviceaccount.com",
            ["client_id"] = "1234567890",
            ["token_uri"] = new Uri(Address, "/token").ToString(),
        }));
        return path;
    }

    private async Task IssueAccessTokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || string.IsNullOrEmpty(form["assertion"]))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { error = "invalid_grant" });
            return;
        }
        Interlocked.Increment(ref TokenRequests);
        await context.Response.WriteAsJsonAsync(new { access_token = AccessToken, expires_in = 3600, token_type = "Bearer" });
    }

    private async Task ServeDocumentAsync(HttpContext context, string path)
    {
        var prefix = $"projects/{ProjectId}/databases/(default)/documents/users/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            await ErrorAsync(context, 404, "NOT_FOUND", "No such collection.");
            return;
        }
        var userId = Uri.UnescapeDataString(path[prefix.Length..]);
        DocumentRequests.Enqueue((context.Request.Method, userId, context.Request.Headers.Authorization.ToString()));

        if (context.Request.Headers.Authorization != ExpectedAuthorization)
        {
            await ErrorAsync(context, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
            return;
        }
        if (Delays.TryGetValue(userId, out var delay)) await Task.Delay(delay, context.RequestAborted);
        if (Failures.TryGetValue(userId, out var failures) && failures > 0)
        {
            Failures[userId] = failures - 1;
            await ErrorAsync(context, 500, "INTERNAL", "Internal error encountered.");
            return;
        }

        if (HttpMethods.IsDelete(context.Request.Method))
        {
            _documents.TryRemove(userId, out _);
            await context.Response.WriteAsync("{}");
            return;
        }
        var exists = context.Request.Query["currentDocument.exists"].ToString();
        if (HttpMethods.IsPatch(context.Request.Method) && exists == "false")
        {
            // Create: only where no document is.
            var created = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            var fresh = new JsonObject
            {
                ["name"] = $"{prefix}{userId}",
                ["fields"] = created["fields"]!.DeepClone(),
                ["updateTime"] = DateTime.UtcNow.ToString("O"),
            };
            if (!_documents.TryAdd(userId, fresh))
            {
                await ErrorAsync(context, 409, "ALREADY_EXISTS", $"Document {path} already exists.");
                return;
            }
            await context.Response.WriteAsync(fresh.ToJsonString());
            return;
        }

        var document = _documents.GetValueOrDefault(userId);
        if (document is null)
        {
            await ErrorAsync(context, 404, "NOT_FOUND", $"Document {path} not found.");
            return;
        }

        if (HttpMethods.IsPatch(context.Request.Method))
        {
            var update = await JsonNode.ParseAsync(context.Request.Body);
            var expected = context.Request.Query["currentDocument.updateTime"];
            bool applied;
            lock (document)
            {
                // Firestore's precondition: write only over the version the client read.
                applied = expected.Count == 0 || expected.ToString() == document["updateTime"]!.GetValue<string>();
                if (applied)
                {
                    foreach (var field in context.Request.Query["updateMask.fieldPaths"])
                    {
                        document["fields"]![field!] = update!["fields"]![field!]!.DeepClone();
                    }
                    document["updateTime"] = DateTime.UtcNow.ToString("O");
                }
            }
            if (!applied)
            {
                await ErrorAsync(context, 400, "FAILED_PRECONDITION", "The document was changed since it was read.");
                return;
            }
        }
        await context.Response.WriteAsync(document.ToJsonString());
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { error = new { code = status, message, status = code } });
    }

    private Dictionary<string, string> PublicJwk()
    {
        var key = _signingKey.ExportParameters(false);
        return new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["kid"] = "stand-in-1",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["n"] = Base64UrlEncoder.Encode(key.Modulus),
            ["e"] = Base64UrlEncoder.Encode(key.Exponent),
        };
    }
}
