using System.Globalization;
using System.Text.Json.Nodes;
using Tutor.Contracts.Families;

namespace Tutor.Gateway.Families;

/// <summary>
/// Maps a Firestore <c>users/{uid}</c> document (its typed-value JSON: <c>stringValue</c>, <c>integerValue</c> as a
/// string, <c>arrayValue</c>, <c>mapValue</c>, …) to a <see cref="ChildProfile"/>, and device secrets back to fields.
/// The schema is in the README.
/// </summary>
public static class FirestoreDocument
{
    public const string DeviceSecretsField = "deviceSecrets";

    public static ChildProfile ToProfile(string userId, JsonNode document)
    {
        var fields = document["fields"]?.AsObject() ?? new JsonObject();
        return new ChildProfile(
            userId,
            String(fields["name"]) ?? userId,
            Integer(fields["age"]),
            String(fields["nativeLanguage"]),
            String(fields["targetLanguage"]),
            String(fields["level"]),
            Array(fields["parents"]).Select(String).OfType<string>().ToList(),
            Array(fields[DeviceSecretsField]).Select(ToSecret).OfType<DeviceSecret>().ToList());
    }

    /// <summary>The fields a parent edits on the page, which a PATCH with this update mask replaces.</summary>
    public static readonly string[] EditableFields = ["name", "age", "nativeLanguage", "targetLanguage", "level"];

    /// <summary>The <c>fields</c> of a child's document: the editable ones, and with <paramref name="whole"/> its parents and (no) devices too.</summary>
    public static JsonObject ProfileFields(ChildProfile child, bool whole)
    {
        static JsonObject Text(string? value) => value is null ? new JsonObject { ["nullValue"] = null } : new JsonObject { ["stringValue"] = value };
        var fields = new JsonObject
        {
            ["name"] = Text(child.Name),
            ["age"] = child.Age is { } age ? new JsonObject { ["integerValue"] = age.ToString(CultureInfo.InvariantCulture) } : new JsonObject { ["nullValue"] = null },
            ["nativeLanguage"] = Text(child.NativeLanguage),
            ["targetLanguage"] = Text(child.TargetLanguage),
            ["level"] = Text(child.Level),
        };
        if (whole)
        {
            fields["parents"] = new JsonObject
            {
                ["arrayValue"] = new JsonObject { ["values"] = new JsonArray(child.Parents.Select(p => (JsonNode)Text(p)).ToArray()) },
            };
            foreach (var (name, value) in DeviceSecretsFields(child.DeviceSecrets)) fields[name] = value!.DeepClone();
        }
        return fields;
    }

    /// <summary>The <c>fields</c> of a PATCH that replaces the device secrets.</summary>
    public static JsonObject DeviceSecretsFields(IReadOnlyList<DeviceSecret> secrets) => new()
    {
        [DeviceSecretsField] = new JsonObject
        {
            ["arrayValue"] = new JsonObject
            {
                ["values"] = new JsonArray(secrets.Select(secret => (JsonNode)new JsonObject
                {
                    ["mapValue"] = new JsonObject
                    {
                        ["fields"] = SecretFields(secret),
                    },
                }).ToArray()),
            },
        },
    };

    private static JsonObject SecretFields(DeviceSecret secret)
    {
        var fields = new JsonObject
        {
            ["id"] = new JsonObject { ["stringValue"] = secret.Id },
            ["sha256"] = new JsonObject { ["stringValue"] = secret.Sha256 },
            ["created"] = new JsonObject { ["timestampValue"] = secret.Created.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) },
            ["revoked"] = new JsonObject { ["booleanValue"] = secret.Revoked },
        };
        if (secret.Name is not null) fields["name"] = new JsonObject { ["stringValue"] = secret.Name };
        return fields;
    }

    private static DeviceSecret? ToSecret(JsonNode? value)
    {
        var fields = value?["mapValue"]?["fields"];
        var id = String(fields?["id"]);
        var hash = String(fields?["sha256"]);
        if (id is null || hash is null) return null;
        var created = fields?["created"]?["timestampValue"]?.GetValue<string>() is { } timestamp
            ? DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture)
            : DateTimeOffset.MinValue;
        return new DeviceSecret(id, hash, created, fields?["revoked"]?["booleanValue"]?.GetValue<bool>() ?? false, String(fields?["name"]));
    }

    private static string? String(JsonNode? value) => value?["stringValue"]?.GetValue<string>();

    private static int? Integer(JsonNode? value) => value?["integerValue"] switch
    {
        JsonValue text when text.TryGetValue<string>(out var s) && int.TryParse(s, CultureInfo.InvariantCulture, out var n) => n,
        JsonValue number when number.TryGetValue<int>(out var n) => n,
        _ => null,
    };

    private static IEnumerable<JsonNode?> Array(JsonNode? value) => value?["arrayValue"]?["values"]?.AsArray() ?? [];
}
