using System.Text.Json;
using Microsoft.Extensions.Options;
using Tutor.Contracts.Families;
using Tutor.Contracts.Messages;

namespace Tutor.Workers.Lessons;

/// <summary>
/// Every lesson in the lessons directory, loaded and checked when the worker starts: a broken file stops the worker with
/// a message naming the file, the step and the field.
/// </summary>
public sealed class LessonCatalog
{
    public LessonCatalog(IOptions<LessonOptions> options, IHostEnvironment environment)
    {
        var directory = Path.GetFullPath(options.Value.Directory, environment.ContentRootPath);
        Lessons = Load(directory);
    }

    public IReadOnlyList<Lesson> Lessons { get; }

    public Lesson? Find(string? id) => Lessons.FirstOrDefault(l => l.Id == id);

    /// <summary>
    /// The lesson a parent chose (<paramref name="chosen"/>), else the first lesson for a child who learns
    /// <paramref name="child"/>'s target language from their native one.
    /// </summary>
    public Lesson ChooseFor(ChildProfile child, IReadOnlyCollection<string> completed, string? chosen = null)
    {
        if (Find(chosen) is { } choice) return choice;
        var fitting = Lessons.Where(l => Matches(l.TargetLanguage, child.TargetLanguage)).ToList();
        var preferred = fitting.Where(l => Matches(l.InstructionLanguage, child.NativeLanguage)).Concat(fitting).Concat(Lessons).ToList();
        return preferred.FirstOrDefault(l => !completed.Contains(l.Id)) ?? preferred[0];
    }

    public static IReadOnlyList<Lesson> Load(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new LessonValidationException($"The lessons directory {directory} does not exist (Lessons:Directory).");
        }

        var lessons = new List<Lesson>();
        var errors = new List<string>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.json").Order())
        {
            var file = Path.GetFileName(path);
            Lesson? lesson;
            try
            {
                lesson = JsonSerializer.Deserialize<Lesson>(File.ReadAllText(path), Format);
            }
            catch (JsonException ex)
            {
                errors.Add($"{file}: not valid JSON at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: {ex.Message.Split(". Path")[0]}");
                continue;
            }
            if (lesson is null)
            {
                errors.Add($"{file}: empty file");
                continue;
            }

            lesson = lesson with { Source = file };
            errors.AddRange(LessonValidator.Validate(lesson).Select(error => $"{file}: {error}"));
            if (lessons.FirstOrDefault(l => l.Id == lesson.Id) is { } twin)
            {
                errors.Add($"{file}: 'id' '{lesson.Id}' is already the id of {twin.Source}");
            }
            lessons.Add(lesson);
        }

        if (errors.Count > 0) throw new LessonValidationException($"The lessons in {directory} have errors:\n  " + string.Join("\n  ", errors));
        if (lessons.Count == 0) throw new LessonValidationException($"The lessons directory {directory} has no lesson (*.json).");
        return lessons;
    }

    private static bool Matches(string language, string? wanted) =>
        wanted is not null && string.Equals(language, wanted, StringComparison.OrdinalIgnoreCase);

    private static readonly JsonSerializerOptions Format = new(TutorJson.Options)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };
}

public sealed class LessonOptions
{
    public const string SectionName = "Lessons";

    /// <summary>The lessons directory, relative to the worker's content root.</summary>
    public string Directory { get; set; } = "lessons";

    /// <summary>
    /// Below this recognition confidence (0–1; engines that give one: pocketsphinx, Whisper) an answer is not judged: the
    /// tutor says the lesson's <c>pardon</c> and asks again, without counting a try. 0 judges everything.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0.0, 1.0)]
    public double MinConfidence { get; set; } = 0.5;
}

public sealed class LessonValidationException(string message) : Exception(message);
