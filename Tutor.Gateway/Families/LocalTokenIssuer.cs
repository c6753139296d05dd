using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;
using Tutor.Contracts.Redis;

namespace Tutor.Gateway.Families;

/// <summary>
/// Signs the parents' tokens of the embedded default (no Firebase). The HMAC key is made once and kept in Redis, so every
/// gateway accepts every other's tokens; it is loaded when the gateway starts.
/// </summary>
public sealed class LocalTokenIssuer(IConnectionMultiplexer redis, IOptions<FamiliesOptions> options, TimeProvider time) : IHostedService
{
    public const string Issuer = "tutor-local";
    public const string Audience = "tutor-parents";

    public SecurityKey? SigningKey { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        await db.StringSetAsync(RedisKeys.LocalSigningKey, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), when: When.NotExists)
            .WaitAsync(cancellationToken);
        var key = await db.StringGetAsync(RedisKeys.LocalSigningKey).WaitAsync(cancellationToken);
        SigningKey = new SymmetricSecurityKey(Convert.FromBase64String(key!)) { KeyId = "tutor-local-1" };
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public (string Token, DateTimeOffset Expires) Issue(LocalParent parent)
    {
        var expires = time.GetUtcNow() + options.Value.LocalTokenLifetime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(parent.Admin
                ? [new Claim("sub", parent.Id), new Claim("name", parent.Name), new Claim(ParentAccess.AdminClaim, "true")]
                : [new Claim("sub", parent.Id), new Claim("name", parent.Name)]),
            IssuedAt = time.GetUtcNow().UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(SigningKey ?? throw new InvalidOperationException("The local signing key is not loaded yet."), SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }
}
