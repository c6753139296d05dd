using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tutor.AppHost.Redis;

namespace Aspire.Hosting;

public static class RedisHostingExtensions
{
    /// <summary>
    /// Adds the Redis that every Tutor service shares: a container, a local <c>redis-server</c> process, or an existing
    /// server (see <see cref="RedisMode"/>). The choice and its reason are logged when the app starts.
    /// </summary>
    public static async Task<IResourceBuilder<IResourceWithConnectionString>> AddTutorRedisAsync(
        this IDistributedApplicationBuilder builder, string name, CancellationToken cancellationToken = default)
    {
        var options = builder.Configuration.GetSection("Redis").Get<RedisOptions>() ?? new RedisOptions();
        var (mode, reason) = await ChooseModeAsync(builder, name, options, cancellationToken);

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tutor.AppHost.Redis")
                .RedisMode(mode, reason);
            return Task.CompletedTask;
        });

        return mode switch
        {
            RedisMode.Container => builder.AddRedis(name),
            RedisMode.Existing => builder.AddConnectionString(name),
            _ => builder.AddLocalRedis(name, options.ServerPath),
        };
    }

    /// <summary>Runs <c>redis-server</c> on 127.0.0.1 with a port of its own, without persistence, healthy once it answers PING.</summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name, string serverPath = "redis-server")
    {
        var resource = new LocalRedisResource(name, ResolveExecutable(serverPath), builder.AppHostDirectory);
        var healthCheckKey = $"{name}_ping";
        builder.Services.AddHealthChecks().Add(new(healthCheckKey,
            _ => new RedisPingHealthCheck(ct => resource.ConnectionStringExpression.GetValueAsync(ct)), failureStatus: null, tags: null));

        return builder.AddResource(resource)
            .WithEndpoint(LocalRedisResource.EndpointName, endpoint =>
            {
                endpoint.UriScheme = "tcp";
                endpoint.IsProxied = false;
                endpoint.TargetHost = "127.0.0.1";
            })
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(resource.Endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                // A development server: nothing written to disk, nothing left behind.
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--appendonly");
                context.Args.Add("no");
            })
            .WithHealthCheck(healthCheckKey);
    }

    private static async Task<(RedisMode Mode, string Reason)> ChooseModeAsync(
        IDistributedApplicationBuilder builder, string name, RedisOptions options, CancellationToken cancellationToken)
    {
        var existing = builder.Configuration.GetConnectionString(name);
        switch (options.Mode)
        {
            case RedisMode.Existing when string.IsNullOrWhiteSpace(existing):
                throw new InvalidOperationException($"Redis:Mode is Existing but ConnectionStrings:{name} is not set.");
            case RedisMode.Existing:
            case RedisMode.Auto when !string.IsNullOrWhiteSpace(existing):
                return (RedisMode.Existing, $"ConnectionStrings:{name} is set");
            case RedisMode.Container:
                return (RedisMode.Container, "configured");
            case RedisMode.Local:
                return (RedisMode.Local, "configured");
        }

        var probe = await ContainerRuntimeProbe.ProbeAsync(
            builder.Configuration["ASPIRE_CONTAINER_RUNTIME"], options.ContainerRuntimeProbeTimeout, cancellationToken);
        return probe.Healthy
            ? (RedisMode.Container, probe.Detail)
            : (RedisMode.Local, $"no container runtime: {probe.Detail}");
    }

    private static string ResolveExecutable(string serverPath)
    {
        if (Path.IsPathRooted(serverPath))
        {
            return File.Exists(serverPath) ? serverPath : throw MissingServer(serverPath);
        }

        var found = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, serverPath))
            .FirstOrDefault(File.Exists);
        return found ?? throw MissingServer(serverPath);
    }

    private static InvalidOperationException MissingServer(string serverPath) => new(
        $"No container runtime answers and '{serverPath}' was not found. Install Redis (Debian/Ubuntu: sudo apt-get install -y redis-server), " +
        "start Docker, or point ConnectionStrings:redis at an existing server.");
}
