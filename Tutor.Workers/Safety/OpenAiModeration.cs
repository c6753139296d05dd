using OpenAI;
using OpenAI.Moderations;

namespace Tutor.Workers.Safety;

/// <summary>OpenAI's moderation endpoint.</summary>
public sealed class OpenAiModeration(OpenAIClient client, string model) : IModeration
{
    private readonly ModerationClient _moderation = client.GetModerationClient(model);

    public async Task<bool> IsFlaggedAsync(string text, CancellationToken cancellationToken) =>
        (await _moderation.ClassifyTextAsync(text, cancellationToken)).Value.Flagged;
}
