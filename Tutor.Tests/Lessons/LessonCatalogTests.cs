using Tutor.Tests.Infrastructure;
using Tutor.Workers.Lessons;

namespace Tutor.Tests.Lessons;

/// <summary>Lesson files as a teacher writes them: the shipped ones load, a broken one is refused with a precise message.</summary>
public sealed class LessonCatalogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tutor-lessons-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_shipped_lessons_load()
    {
        var lessons = ShippedLessons.All;

        Assert.Equal(["animals-es-for-en", "colours-en-for-es", "free-talk-en"], lessons.Select(l => l.Id));
        Assert.Contains(lessons, l => l.TargetLanguage == "en" && l.InstructionLanguage == "es");
        Assert.Contains(lessons, l => l.TargetLanguage == "es" && l.InstructionLanguage == "en");
        Assert.Contains(lessons, l => l.Steps.Any(s => s.Kind == StepKinds.Chat));
    }

    public static TheoryData<string, string> BrokenLessons => new()
    {
        { """{"id":"x","title":"X","target_language":"en","instruction_language":"es","level":"a1","steps":[{"id":"q","kind":"ask","say":"Hi?","expect":["hi"],"hint":"h","praise":"p","next":"nowhere"},{"id":"end","kind":"end","say":"Bye"}]}""",
          "broken.json: step 'q' (#1): 'next' names 'nowhere', which is not a step of this lesson" },
        { """{"id":"x","title":"X","target_language":"en","instruction_language":"es","level":"a1","steps":[{"id":"q","kind":"ask","say":"Hi?","expect":[],"hint":"h","praise":"p","next":"end"},{"id":"end","kind":"end","say":"Bye"}]}""",
          "broken.json: step 'q' (#1): 'expect' needs at least one accepted answer" },
        { """{"id":"x","title":"X","target_language":"en","instruction_language":"es","level":"a1","steps":[{"id":"q","kind":"ask","say":"Hi?","expect":["hi"],"praise":"p","next":"end"},{"id":"end","kind":"end","say":"Bye"}]}""",
          "broken.json: step 'q' (#1): 'hint' is missing" },
        { """{"id":"x","title":"X","target_language":"en","instruction_language":"es","level":"a1","steps":[{"id":"q","kind":"sing","say":"La la","next":"end"},{"id":"end","kind":"end","say":"Bye"}]}""",
          "broken.json: step 'q' (#1): 'kind' is 'sing'; it must be one of introduce, ask, chat, end" },
        { """{"id":"x","target_language":"en","instruction_language":"es","level":"a1","steps":[{"id":"end","kind":"end","say":"Bye"}]}""",
          "broken.json: 'title' is missing" },
        { """{"id":"x","title":"X","target_language":"en","instruction_language":"es","level":"a1","steps":[{"id":"a","kind":"introduce","say":"Hi","next":"a"}]}""",
          "broken.json: step 'a' (#1): 'next' names the step itself" },
        { """{"id":"x","title":"X","target_language":"en","instruction_language":"es","level":"a1","stepz":[]}""",
          "broken.json: not valid JSON at line 1" },
        { "{\n  \"id\": \"x\",\n  \"title\": \"X\"\n  \"level\": \"a1\"\n}",
          "broken.json: not valid JSON at line 4" },
        { """{"id":"x","title":"X","target_language":"en","instruction_language":"es","level":"a1","steps":[{"id":"q","kind":"ask","say":"Hi?","expect":["hi"],"hint":"h","praise":"p","retries":9,"next":"end"},{"id":"end","kind":"end","say":"Bye"}]}""",
          "broken.json: step 'q' (#1): 'retries' is 9; it must be 0 to 5" },
    };

    [Theory]
    [MemberData(nameof(BrokenLessons))]
    public void A_broken_lesson_is_refused_naming_the_file_the_step_and_the_field(string json, string expected)
    {
        File.Copy(Path.Combine(ShippedLessons.Directory, "colours-en-for-es.json"), Path.Combine(_directory, "good.json"));
        File.WriteAllText(Path.Combine(_directory, "broken.json"), json);

        var error = Assert.Throws<LessonValidationException>(() => LessonCatalog.Load(_directory));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("good.json", error.Message);
    }

    [Fact]
    public void Two_lessons_with_one_id_are_refused()
    {
        File.Copy(Path.Combine(ShippedLessons.Directory, "colours-en-for-es.json"), Path.Combine(_directory, "a.json"));
        File.Copy(Path.Combine(ShippedLessons.Directory, "colours-en-for-es.json"), Path.Combine(_directory, "b.json"));

        var error = Assert.Throws<LessonValidationException>(() => LessonCatalog.Load(_directory));

        Assert.Contains("b.json: 'id' 'colours-en-for-es' is already the id of a.json", error.Message);
    }
}
