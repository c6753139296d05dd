namespace Tutor.Workers.Safety;

/// <summary>Decides whether words are unfit for a child's conversation.</summary>
public interface IModeration
{
    Task<bool> IsFlaggedAsync(string text, CancellationToken cancellationToken);
}
