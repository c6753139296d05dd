namespace Tutor.AppHost.Redis;

/// <summary>The <c>Redis</c> configuration section of the AppHost.</summary>
public sealed class RedisOptions
{
    public RedisMode Mode { get; set; } = RedisMode.Auto;

    /// <summary>The local server's executable, found on PATH unless a path is given.</summary>
    public string ServerPath { get; set; } = "redis-server";

    /// <summary>How long to wait for <c>docker info</c> (or podman's) before deciding there is no container runtime.</summary>
    public TimeSpan ContainerRuntimeProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
