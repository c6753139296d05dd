using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Tutor.Contracts.Redis;

namespace Tutor.Contracts.Transcripts;

public static class TranscriptBackplane
{
    /// <summary>
    /// SignalR over the shared Redis, so that a worker's <c>IHubContext&lt;TranscriptHub, ITranscriptClient&gt;</c> reaches
    /// parents connected to any gateway. Gateway and workers must both call this: the channel prefix must match.
    /// </summary>
    public static ISignalRServerBuilder AddTranscriptBackplane(this IServiceCollection services, IConfiguration configuration, string connectionName)
    {
        var connectionString = configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set. Start the services through the AppHost (./run.sh), or set it to a Redis server.");
        }

        return services.AddSignalR().AddStackExchangeRedis(connectionString, options =>
            options.Configuration.ChannelPrefix = RedisChannel.Literal(Channels.SignalRPrefix));
    }
}
