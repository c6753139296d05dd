using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using System.Text;

namespace Tutor.Gateway.Families;

/// <summary>
/// Signs the parents' tokens of the embedded default (no Firebase) with <see cref="FamiliesOptions.LocalSigningKey"/>,
/// secret configuration every gateway shares (the AppHost generates it once and gives it to the gateways only). It is
/// never stored in Redis: whoever can read Redis must not be able to mint a parent's — or an admin's — token. Without
/// one, a development gateway makes its own for as long as it runs.
/// </summary>
public sealed class LocalTokenIssuer
{
    public const string Issuer = "tutor-local";
    public const string Audience = "tutor-parents";

    private readonly IOptions<FamiliesOptions> _options;
    private readonly TimeProvider _time;
    private readonly Lazy<SecurityKey> _key;

    public LocalTokenIssuer(IOptions<FamiliesOptions> options, TimeProvider time, ILogger<LocalTokenIssuer> logger)
    {
        _options = options;
        _time = time;
        _key = new Lazy<SecurityKey>(() =>
        {
            var configured = options.Value.LocalSigningKey;
            if (string.IsNullOrEmpty(configured))
            {
                // Only in Development: elsewhere the gateway does not start without the key (AddFamilies).
                logger.OwnSigningKey();
                configured = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            }
            // Stryker disable once Initializer : the key id only names the key in a token's header; tokens are checked against this one key
            return new SymmetricSecurityKey(Encoding.UTF8.GetBytes(configured)) { KeyId = "tutor-local-2" };
        });
    }

    /// <summary>What the local sign-in requires outside Development, said at start.</summary>
    public const string KeyRequired = "Families:LocalSigningKey is required for the local sign-in outside Development: 32 or more characters "
        + "of secret text, the same on every gateway (user secrets, or the environment variable Families__LocalSigningKey).";

    public SecurityKey SigningKey => _key.Value;

    public (string Token, DateTimeOffset Expires) Issue(LocalParent parent)
    {
        var expires = _time.GetUtcNow() + _options.Value.LocalTokenLifetime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            // A token id of its own: two sign-ins within one second are two tokens, and signing one out leaves the other.
            Subject = new ClaimsIdentity(parent.Admin
                ? [new Claim("sub", parent.Id), new Claim("name", parent.Name), new Claim("jti", Guid.NewGuid().ToString("N")), new Claim(ParentAccess.AdminClaim, "true")]
                : [new Claim("sub", parent.Id), new Claim("name", parent.Name), new Claim("jti", Guid.NewGuid().ToString("N"))]),
            IssuedAt = _time.GetUtcNow().UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }
}
