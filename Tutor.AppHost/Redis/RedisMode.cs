namespace Tutor.AppHost.Redis;

/// <summary>Where the AppHost's Redis comes from (configuration <c>Redis:Mode</c>).</summary>
public enum RedisMode
{
    /// <summary>An existing server if <c>ConnectionStrings:redis</c> is set, else a container if a runtime answers, else a local process.</summary>
    Auto,
    /// <summary>Aspire's Redis container: needs a healthy Docker or Podman.</summary>
    Container,
    /// <summary>A local <c>redis-server</c> process run by the AppHost.</summary>
    Local,
    /// <summary>A server that is already running, named by <c>ConnectionStrings:redis</c>.</summary>
    Existing,
}
