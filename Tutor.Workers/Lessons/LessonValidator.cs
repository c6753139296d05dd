namespace Tutor.Workers.Lessons;

/// <summary>Checks a lesson the way a teacher needs it checked: each error names the step and the field.</summary>
public static class LessonValidator
{
    public static IEnumerable<string> Validate(Lesson lesson)
    {
        foreach (var (field, value) in new[] { ("id", lesson.Id), ("title", lesson.Title), ("target_language", lesson.TargetLanguage),
                     ("instruction_language", lesson.InstructionLanguage), ("level", lesson.Level) })
        {
            if (string.IsNullOrWhiteSpace(value)) yield return $"'{field}' is missing";
        }
        if (lesson.Steps.Count == 0)
        {
            yield return "'steps' is empty: a lesson needs at least one step";
            yield break;
        }

        var ids = lesson.Steps.Select(s => s.Id).ToList();
        for (var i = 0; i < lesson.Steps.Count; i++)
        {
            var step = lesson.Steps[i];
            var where = $"step '{(string.IsNullOrWhiteSpace(step.Id) ? $"#{i + 1}" : step.Id)}' (#{i + 1})";
            if (string.IsNullOrWhiteSpace(step.Id)) yield return $"{where}: 'id' is missing";
            else if (ids.Count(id => id == step.Id) > 1) yield return $"{where}: 'id' '{step.Id}' is used by more than one step";
            if (!StepKinds.All.Contains(step.Kind)) yield return $"{where}: 'kind' is '{step.Kind}'; it must be one of {string.Join(", ", StepKinds.All)}";
            if (string.IsNullOrWhiteSpace(step.Say)) yield return $"{where}: 'say' is missing";

            if (step.Kind == StepKinds.End)
            {
                if (step.Next is not null) yield return $"{where}: 'next' must not be set on an end step";
            }
            else if (string.IsNullOrWhiteSpace(step.Next)) yield return $"{where}: 'next' is missing";
            else if (!ids.Contains(step.Next)) yield return $"{where}: 'next' names '{step.Next}', which is not a step of this lesson";
            else if (step.Next == step.Id) yield return $"{where}: 'next' names the step itself";

            if (step.Kind == StepKinds.Ask)
            {
                if (step.Expect.Count == 0 || step.Expect.Any(string.IsNullOrWhiteSpace)) yield return $"{where}: 'expect' needs at least one accepted answer, none empty";
                if (string.IsNullOrWhiteSpace(step.Hint)) yield return $"{where}: 'hint' is missing";
                if (string.IsNullOrWhiteSpace(step.Praise)) yield return $"{where}: 'praise' is missing";
                if (step.Retries is < 0 or > 5) yield return $"{where}: 'retries' is {step.Retries}; it must be 0 to 5";
            }
            if (step.Kind == StepKinds.Chat && step.Turns is < 1 or > 20) yield return $"{where}: 'turns' is {step.Turns}; it must be 1 to 20";
        }

        if (lesson.Steps.All(s => s.Kind != StepKinds.End)) yield return "'steps' has no step of kind 'end'";
        if (lesson.First.Kind == StepKinds.End && lesson.Steps.Count > 1) yield return $"step '{lesson.First.Id}' (#1): the first step must not be the end";
    }
}
