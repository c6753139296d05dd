using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

public static class GatewaySettings
{
    private static readonly string[] ForwardedSections = ["Families", "Firebase", "Devices", "Listening"];

    /// <summary>
    /// Passes the AppHost's <c>Families</c>, <c>Firebase</c>, <c>Devices</c> and <c>Listening</c> settings to the gateway,
    /// so a deployment (or a test) configures the gateway in one place: e.g. <c>Firebase:ProjectId</c> and
    /// <c>Firebase:CredentialsPath</c> for a real Firebase project.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGatewaySettings(this IResourceBuilder<ProjectResource> gateway, IConfiguration configuration)
    {
        foreach (var section in ForwardedSections)
        {
            foreach (var (key, value) in configuration.GetSection(section).AsEnumerable(makePathsRelative: true))
            {
                if (value is not null) gateway.WithEnvironment($"{section}__{key.Replace(":", "__")}", value);
            }
        }

        return configuration["FIRESTORE_EMULATOR_HOST"] is { Length: > 0 } emulator
            ? gateway.WithEnvironment("FIRESTORE_EMULATOR_HOST", emulator)
            : gateway;
    }
}
