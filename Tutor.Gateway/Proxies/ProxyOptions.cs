using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Tutor.Gateway.Proxies;

/// <summary>
/// The reverse proxies in front of the gateway (configuration section <c>Proxies</c>). Only a request arriving from one
/// of them may say, in <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c>, who the client really is; anyone else's
/// headers are ignored, so a client cannot pick the address its sign-in failures are counted against.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string SectionName = "Proxies";

    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.5</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form, e.g. <c>10.0.0.0/8</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Whether a proxy on the same machine (loopback) is trusted, as ASP.NET Core does by default.</summary>
    public bool TrustLoopback { get; set; } = true;

    /// <summary>How many proxies deep the chain of <c>X-Forwarded-For</c> is read.</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult($"'{proxy}' is not an IP address.", [nameof(KnownProxies)]);
        }
        foreach (var network in KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"'{network}' is not a network in CIDR form (like 10.0.0.0/8).", [nameof(KnownNetworks)]);
        }
    }
}
