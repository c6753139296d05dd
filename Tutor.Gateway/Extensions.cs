using Microsoft.Extensions.Options;
using Tutor.Contracts.Transcripts;
using Tutor.Gateway.Devices;
using Tutor.Gateway.Diagnostics;
using Tutor.Gateway.Listening;
using Tutor.Gateway.Sessions;
using Tutor.Gateway.Utterances;

namespace Tutor.Gateway;

internal static class Extensions
{
    public const string RedisConnectionName = "redis";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient(RedisConnectionName);

        builder.Services.AddOptions<DeviceOptions>()
            .Bind(builder.Configuration.GetSection(DeviceOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ListeningOptions>()
            .Bind(builder.Configuration.GetSection(ListeningOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<SessionRecordOptions>()
            .Bind(builder.Configuration.GetSection(SessionRecordOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<GatewayTelemetry>();
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddSingleton<ReplyRelay>();
        builder.Services.AddSingleton<TurnAborter>();
        builder.Services.AddSingleton<SileroVadModel>();
        builder.Services.AddSingleton<UtterancePublisher>();
        builder.Services.AddSingleton<DeviceConnectionHandler>();

        builder.Services.AddTranscriptBackplane(builder.Configuration, RedisConnectionName);

        // WebSocket pings (RFC 6455) keep NATs from dropping a quiet device, and a device that stops answering them is cut off.
        builder.Services.AddOptions<WebSocketOptions>()
            .Configure<IOptions<DeviceOptions>>((web, devices) =>
            {
                web.KeepAliveInterval = devices.Value.KeepAliveInterval;
                web.KeepAliveTimeout = devices.Value.KeepAliveInterval;
            });
    }
}
