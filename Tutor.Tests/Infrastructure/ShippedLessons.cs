using Tutor.Workers.Lessons;
using Tutor.Workers.Replies;

namespace Tutor.Tests.Infrastructure;

/// <summary>The lessons the repository ships (Tutor.Workers/lessons), read as the workers read them.</summary>
public static class ShippedLessons
{
    public static string Directory { get; } = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Tutor.Workers", "lessons"));

    public static IReadOnlyList<Lesson> All => LessonCatalog.Load(Directory);

    public static Lesson Get(string id) => All.Single(l => l.Id == id);

    /// <summary>The sentences the tutor says when the lesson opens.</summary>
    public static List<string> OpeningOf(string lessonId)
    {
        var lesson = Get(lessonId);
        return OfflineTutor.Sentences(LessonEngine.Prompt(lesson, lesson.First)).ToList();
    }
}
