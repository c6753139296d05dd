using System.Text.Json;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Families;
using Tutor.Contracts.Messages;

namespace Tutor.Gateway.Families;

/// <summary>
/// The embedded default: families in JSON files of a local directory the operator edits (format in the README; the
/// repository ships <c>families/demo.json</c>). Read on every cache miss, so an edit is seen once the cache expires.
/// </summary>
public sealed class LocalFamilyDirectory(IOptions<FamiliesOptions> options, IHostEnvironment environment) : IProfileSource
{
    private readonly SemaphoreSlim _writing = new(1, 1);

    public string Directory => Path.GetFullPath(options.Value.Directory, environment.ContentRootPath);

    public async Task<ChildProfile?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        foreach (var (_, family) in await ReadAllAsync(cancellationToken))
        {
            if (family.Children.FirstOrDefault(c => c.Id == userId) is { } child) return child.ToProfile();
        }
        return null;
    }

    public async Task<IReadOnlyList<ChildProfile>> ChildrenOfAsync(string parentId, CancellationToken cancellationToken) =>
        (await ReadAllAsync(cancellationToken)).SelectMany(f => f.Family.Children)
            .Where(c => c.Parents?.Contains(parentId) == true).Select(c => c.ToProfile()).ToList();

    public async Task<LocalParent?> FindParentAsync(string parentId, CancellationToken cancellationToken)
    {
        foreach (var (_, family) in await ReadAllAsync(cancellationToken))
        {
            if (family.Parents.FirstOrDefault(p => p.Id == parentId) is { } parent) return parent;
        }
        return null;
    }

    public Task<ChildProfile> UpdateDeviceSecretsAsync(string userId, Func<IReadOnlyList<DeviceSecret>, IReadOnlyList<DeviceSecret>> change,
        CancellationToken cancellationToken) =>
        WriteAsync(async families =>
        {
            foreach (var (path, family) in families)
            {
                var index = family.Children.FindIndex(c => c.Id == userId);
                if (index < 0) continue;

                var secrets = change(family.Children[index].ToProfile().DeviceSecrets);
                family.Children[index] = family.Children[index] with
                {
                    DeviceSecrets = secrets.Select(s => new LocalDeviceSecret(s.Id, s.Sha256, s.Created, s.Revoked, s.Name)).ToList(),
                };
                await SaveAsync(path, family, cancellationToken);
                return family.Children[index].ToProfile();
            }
            throw new InvalidOperationException($"No family file lists the child '{userId}'.");
        }, cancellationToken);

    public Task<ChildProfile> SaveChildAsync(ChildProfile child, bool create, CancellationToken cancellationToken) =>
        WriteAsync(async families =>
        {
            foreach (var (path, family) in families)
            {
                var index = family.Children.FindIndex(c => c.Id == child.UserId);
                if (index < 0) continue;
                if (create) throw new InvalidOperationException($"The child '{child.UserId}' exists already.");
                family.Children[index] = family.Children[index] with
                {
                    Name = child.Name, Age = child.Age, NativeLanguage = child.NativeLanguage, TargetLanguage = child.TargetLanguage, Level = child.Level,
                };
                await SaveAsync(path, family, cancellationToken);
                return family.Children[index].ToProfile();
            }
            if (!create) throw new InvalidOperationException($"No family file lists the child '{child.UserId}'.");

            // A new child joins the family file of its first parent (one is made for a parent who has none yet).
            var parentId = child.Parents[0];
            var (home, homeFamily) = families.FirstOrDefault(f => f.Family.Parents.Any(p => p.Id == parentId)
                || f.Family.Children.Any(c => c.Parents?.Contains(parentId) == true));
            if (homeFamily is null)
            {
                home = Path.Combine(Directory, $"{parentId}.json");
                homeFamily = new LocalFamily();
            }
            var added = new LocalChild(child.UserId, child.Name, child.Age, child.NativeLanguage, child.TargetLanguage, child.Level, [.. child.Parents], []);
            homeFamily.Children.Add(added);
            await SaveAsync(home, homeFamily, cancellationToken);
            return added.ToProfile();
        }, cancellationToken);

    public Task DeleteChildAsync(string userId, CancellationToken cancellationToken) =>
        WriteAsync(async families =>
        {
            foreach (var (path, family) in families.Where(f => f.Family.Children.Any(c => c.Id == userId)))
            {
                family.Children.RemoveAll(c => c.Id == userId);
                await SaveAsync(path, family, cancellationToken);
            }
            return true;
        }, cancellationToken);

    /// <summary>One writer at a time in this gateway, each reading the files afresh.</summary>
    private async Task<T> WriteAsync<T>(Func<List<(string Path, LocalFamily Family)>, Task<T>> write, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            return await write(await ReadAllAsync(cancellationToken));
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Written whole to a temporary file and moved over the old one, so a reader never sees half a family.</summary>
    private static async Task SaveAsync(string path, LocalFamily family, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(family, Format), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    private async Task<List<(string Path, LocalFamily Family)>> ReadAllAsync(CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new ProfileSourceUnavailableException($"The families directory {Directory} does not exist (Families:Directory).");
        }

        var families = new List<(string, LocalFamily)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*.json").Order())
        {
            try
            {
                await using var file = File.OpenRead(path);
                families.Add((path, await JsonSerializer.DeserializeAsync<LocalFamily>(file, Format, cancellationToken) ?? new LocalFamily()));
            }
            catch (JsonException ex)
            {
                throw new ProfileSourceUnavailableException($"{path} is not a valid family file: {ex.Message}", ex);
            }
        }
        return families;
    }

    private static readonly JsonSerializerOptions Format = new(TutorJson.Options) { WriteIndented = true };
}

/// <summary>One family file: its parents (for the local sign-in) and its children.</summary>
public sealed record LocalFamily
{
    public List<LocalParent> Parents { get; init; } = [];
    public List<LocalChild> Children { get; init; } = [];
}

/// <summary>A parent who may sign in locally, with their passcode's salted hash (<see cref="Passcodes"/>); <c>admin</c> opens the debug view.</summary>
public sealed record LocalParent(string Id, string Name, string PasscodeHash, bool Admin = false);

public sealed record LocalChild(
    string Id, string Name, int? Age, string? NativeLanguage, string? TargetLanguage, string? Level,
    List<string>? Parents, List<LocalDeviceSecret>? DeviceSecrets)
{
    public ChildProfile ToProfile() => new(Id, Name, Age, NativeLanguage, TargetLanguage, Level,
        Parents ?? [], (DeviceSecrets ?? []).Select(s => new DeviceSecret(s.Id, s.Sha256, s.Created, s.Revoked, s.Name)).ToList());
}

public sealed record LocalDeviceSecret(string Id, string Sha256, DateTimeOffset Created, bool Revoked, string? Name = null);
