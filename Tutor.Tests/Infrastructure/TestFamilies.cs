using System.Text.Json;
using Tutor.Contracts.Messages;
using Tutor.Gateway.Families;

namespace Tutor.Tests.Infrastructure;

/// <summary>
/// A local families directory for a test (the embedded default's format): children are added on demand, each with a
/// parent and a device secret the test knows.
/// </summary>
public sealed class TestFamilies : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("tutor-families-").FullName;

    public static string TokenFor(string userId) => $"{userId}-device.secret-of-{userId}";

    public static string ParentOf(string userId) => $"parent-of-{userId}";

    public const string Passcode = "open sesame";

    /// <summary>Makes sure the child exists (with its parent) and returns its device token.</summary>
    public string Child(string userId, string? parentId = null, params string[] extraParents)
    {
        if (!File.Exists(Path.Combine(Directory, $"{userId}.json"))) Write(userId, parentId ?? ParentOf(userId), extraParents, []);
        return TokenFor(userId);
    }

    /// <summary>A child with two device secrets, its own and one a parent revoked; returns both tokens.</summary>
    public (string Token, string Revoked) ChildWithRevokedDevice(string userId)
    {
        Write(userId, ParentOf(userId), [],
            [new LocalDeviceSecret($"{userId}-old", DeviceTokens.Hash($"old-secret-of-{userId}"), DateTimeOffset.UtcNow.AddDays(-30), true)]);
        return (TokenFor(userId), $"{userId}-old.old-secret-of-{userId}");
    }

    private void Write(string userId, string parent, string[] extraParents, LocalDeviceSecret[] moreSecrets)
    {
        var family = new LocalFamily
        {
            Parents = [new LocalParent(parent, $"Parent {parent}", Passcodes.Hash(Passcode))],
            Children =
            [
                new LocalChild(userId, $"Child {userId}", 7, "es", "en", "beginner", [parent, .. extraParents],
                    [new LocalDeviceSecret($"{userId}-device", DeviceTokens.Hash($"secret-of-{userId}"), DateTimeOffset.UtcNow, false), .. moreSecrets]),
            ],
        };
        File.WriteAllText(Path.Combine(Directory, $"{userId}.json"), JsonSerializer.Serialize(family, TutorJson.Options));
    }

    /// <summary>Makes sure a developer (the <c>admin</c> claim, for the debug view) exists and returns their parent id.</summary>
    public string Developer()
    {
        const string id = "test-developer";
        var path = Path.Combine(Directory, $"{id}.json");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, JsonSerializer.Serialize(
                new LocalFamily { Parents = [new LocalParent(id, "Test Developer", Passcodes.Hash(Passcode), Admin: true)], Children = [] },
                TutorJson.Options));
        }
        return id;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
