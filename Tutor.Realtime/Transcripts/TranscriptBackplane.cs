using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Tutor.Contracts.Redis;


namespace Tutor.Realtime.Transcripts;

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

        return services.AddSignalR()
            // The hub speaks the same snake_case JSON as every other Tutor message (the page reads both alike).
            .AddJsonProtocol(json => UseTutorJson(json.PayloadSerializerOptions))
            .AddStackExchangeRedis(connectionString, options => options.Configuration.ChannelPrefix = RedisChannel.Literal(Channels.SignalRPrefix));
    }

    /// <summary>Makes hub payloads snake_case with nulls left out; .NET hub clients call it on their JSON protocol too.</summary>
    public static void UseTutorJson(System.Text.Json.JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
    }
}
