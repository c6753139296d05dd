using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Moderations;
using Tutor.Workers.OpenAi;

namespace Tutor.Workers.Safety;

/// <summary>OpenAI's moderation endpoint.</summary>
public sealed class OpenAiModeration(OpenAIClient client, IOptions<OpenAiOptions> options) : IModeration
{
    private readonly ModerationClient _moderation = client.GetModerationClient(options.Value.ModerationModel);

    public async Task<bool> IsFlaggedAsync(string text, CancellationToken cancellationToken) =>
        (await _moderation.ClassifyTextAsync(text, cancellationToken)).Value.Flagged;
}
