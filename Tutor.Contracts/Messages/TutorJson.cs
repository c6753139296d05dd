using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tutor.Contracts.Messages;

/// <summary>The JSON shape of every message on Redis and on the device socket: snake_case, nulls left out.</summary>
public static class TutorJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // The protocol's names are exactly as written: {"Type":"hello"} is not a hello, and a device that sends it is told.
        PropertyNameCaseInsensitive = false,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Parses a message, or returns null when it is not valid JSON of that shape.</summary>
    public static T? TryDeserialize<T>(string? json) where T : class
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
