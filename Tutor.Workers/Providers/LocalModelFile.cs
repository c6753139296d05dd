namespace Tutor.Workers.Providers;

/// <summary>
/// The operator's own model file (<c>whisper</c>, <c>llama</c>): a worker whose file is missing or cannot be loaded stops
/// at start with a message naming the file and the setting, never at a child's turn.
/// </summary>
internal static class LocalModelFile
{
    public static string Check(ProviderChoice choice, string setting, string what)
    {
        if (string.IsNullOrWhiteSpace(choice.ModelPath))
        {
            throw new InvalidOperationException($"{setting} is not set: give the path of {what}.");
        }
        var path = Path.GetFullPath(choice.ModelPath);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The model file '{path}' ({setting}) does not exist: download {what} there, or fix the path.");
        }
        return path;
    }

    public static InvalidOperationException Broken(string path, string what, Exception inner) =>
        new($"The model file '{path}' could not be loaded as {what}: {inner.Message}", inner);
}
