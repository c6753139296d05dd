#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
// Reads Stryker's JSON reports (mutation-testing-elements schema) and prints the mutation score per file and in total:
//   dotnet run scripts/mutation/score.cs -- results/mutation <report.json>…
// Score = detected (killed, timed out) / (detected + survived + not covered), as Stryker counts it; compile errors and
// ignored mutants do not count. Writes results/mutation/summary.md and summary.json beside the reports.
using System.Text.Json;

var output = args[0];
var rows = new List<(string File, int Killed, int Timeout, int Survived, int NoCoverage)>();
foreach (var report in args.Skip(1))
{
    using var document = JsonDocument.Parse(File.ReadAllText(report));
    foreach (var file in document.RootElement.GetProperty("files").EnumerateObject())
    {
        var statuses = file.Value.GetProperty("mutants").EnumerateArray().Select(m => m.GetProperty("status").GetString()).ToList();
        var path = file.Name[(file.Name.IndexOf("/Tutor.", StringComparison.Ordinal) + 1)..];
        rows.Add((path, statuses.Count(s => s == "Killed"), statuses.Count(s => s == "Timeout"), statuses.Count(s => s == "Survived"),
            statuses.Count(s => s == "NoCoverage")));
    }
}

static double Score(int killed, int timeout, int survived, int noCoverage) =>
    killed + timeout + survived + noCoverage == 0 ? 100 : 100.0 * (killed + timeout) / (killed + timeout + survived + noCoverage);

var lines = new List<string> { "| File | Killed | Timeout | Survived | No coverage | Score |", "| --- | ---: | ---: | ---: | ---: | ---: |" };
foreach (var r in rows.Where(r => r.Killed + r.Timeout + r.Survived + r.NoCoverage > 0).OrderBy(r => r.File))
{
    lines.Add($"| `{r.File}` | {r.Killed} | {r.Timeout} | {r.Survived} | {r.NoCoverage} | {Score(r.Killed, r.Timeout, r.Survived, r.NoCoverage):0.0} % |");
}
var (k, t, s, n) = (rows.Sum(r => r.Killed), rows.Sum(r => r.Timeout), rows.Sum(r => r.Survived), rows.Sum(r => r.NoCoverage));
var total = Score(k, t, s, n);
lines.Add($"| **all** | {k} | {t} | {s} | {n} | **{total:0.0} %** |");
var summary = $"Mutation score {DateTime.UtcNow:yyyy-MM-dd}: {total:0.0} %\n\n" + string.Join('\n', lines) + "\n";
Console.Write(summary);
File.WriteAllText(Path.Combine(output, "summary.md"), summary);
File.WriteAllText(Path.Combine(output, "summary.json"), JsonSerializer.Serialize(new
{
    at = DateTime.UtcNow,
    score = Math.Round(total, 1),
    killed = k, timeout = t, survived = s, no_coverage = n,
    files = rows.Select(r => new { file = r.File, killed = r.Killed, timeout = r.Timeout, survived = r.Survived, no_coverage = r.NoCoverage,
        score = Math.Round(Score(r.Killed, r.Timeout, r.Survived, r.NoCoverage), 1) }),
}, new JsonSerializerOptions { WriteIndented = true }));
