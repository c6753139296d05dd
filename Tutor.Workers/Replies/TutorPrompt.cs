using System.Text;
using Tutor.Workers.Lessons;

namespace Tutor.Workers.Replies;

/// <summary>The chat model's instructions for one turn: the child, the lesson step, what the lesson would say, and the rules.</summary>
public static class TutorPrompt
{
    public static string System(TutorRequest request)
    {
        var child = request.Child;
        var lesson = request.Lesson;
        var step = request.Step;
        var prompt = new StringBuilder()
            .AppendLine("You are Tutor, a warm, patient language tutor speaking with a young child through a small speaker.")
            .AppendLine($"Child: {child.Name}, age {child.Age?.ToString() ?? "unknown"}, native language {child.NativeLanguage ?? "unknown"}, learning {child.TargetLanguage ?? lesson.TargetLanguage}, level {child.Level ?? lesson.Level}.")
            .AppendLine($"Lesson: \"{lesson.Title}\" ({lesson.TargetLanguage}, explained in {lesson.InstructionLanguage}). Vocabulary: {string.Join(", ", lesson.Vocabulary)}.")
            .AppendLine($"Current step: {step.Id} ({step.Kind}). You asked: \"{step.Say}\"");
        if (step.Kind == StepKinds.Ask)
        {
            prompt.AppendLine($"Accepted answers: {string.Join(" | ", step.Expect)}")
                .AppendLine($"If the answer is correct (small mistakes are fine), praise briefly and then say: \"{request.IfCorrect.Reply}\"")
                .AppendLine($"If it is wrong, be kind and say: \"{request.IfIncorrect.Reply}\"")
                .AppendLine($"If you cannot tell what the child said, say: \"{request.IfUnclear.Reply}\"");
        }
        else
        {
            prompt.AppendLine($"This is free conversation about: {step.Topic ?? step.Say}. Answer the child and ask one easy question back.");
        }

        return prompt
            .AppendLine("Rules: speak in short, simple, spoken sentences (one to three), suitable for a small child; no lists, no emoji, no markdown.")
            .AppendLine("Never ask for personal information. Keep every word kind and age-appropriate.")
            .AppendLine("Answer with JSON only: {\"judgement\": \"correct\" | \"incorrect\" | \"unclear\", \"reply\": \"what you say\"}.")
            .ToString();
    }

    /// <summary>The JSON schema of the model's answer (structured output).</summary>
    public const string AnswerSchema = """
        {
          "type": "object",
          "properties": {
            "judgement": { "type": "string", "enum": ["correct", "incorrect", "unclear"] },
            "reply": { "type": "string" }
          },
          "required": ["judgement", "reply"],
          "additionalProperties": false
        }
        """;
}
