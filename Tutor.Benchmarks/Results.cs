using System.Text.Json;

namespace Tutor.Benchmarks;

/// <summary>Prints a benchmark's figures and writes them to <c>results/{name}.json</c>.</summary>
public static class Results
{
    public static async Task WriteAsync(string name, object figures)
    {
        var json = JsonSerializer.Serialize(figures, new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        Console.WriteLine(json);
        Directory.CreateDirectory("results");
        var path = Path.GetFullPath(Path.Combine("results", $"{name}.json"));
        await File.WriteAllTextAsync(path, json);
        Console.WriteLine($"Written to {path}");
    }
}
