using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Tutor.Gateway.Devices;
using Tutor.Gateway.Diagnostics;
using Tutor.Gateway.Families;
using Tutor.Gateway.Uplink.Listening;
using Tutor.Gateway.Pairing;
using Tutor.Gateway.Pairing.Xiaozhi;
using Tutor.Gateway.Proxies;
using Tutor.Gateway.Sessions;
using Tutor.Gateway.Uplink.Utterances;
using Tutor.Realtime.Transcripts;
using Tutor.Gateway.Downlink;

namespace Tutor.Gateway;

internal static class Extensions
{
    /// <summary>
    /// Profiles (Firestore or the local directory, behind the Redis cache), device sign-in, and parents' authentication.
    /// </summary>
    private static void AddFamilies(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<FamiliesOptions>(FamiliesOptions.SectionName);
        builder.AddValidatedOptions<FirebaseOptions>(FirebaseOptions.SectionName)
            .PostConfigure(firebase => firebase.EmulatorHost ??= builder.Configuration["FIRESTORE_EMULATOR_HOST"]);
        var firebase = builder.Configuration.GetSection(FirebaseOptions.SectionName).Get<FirebaseOptions>() ?? new FirebaseOptions();
        firebase.EmulatorHost ??= builder.Configuration["FIRESTORE_EMULATOR_HOST"];

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LocalFamilyDirectory>();
        if (firebase.IsConfigured)
        {
            builder.Services.AddSingleton<FirestoreAuthorization>();
            // A device waits on this lookup: Firestore gets its own, shorter timeouts instead of the service defaults'.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the documented way to replace the defaults for one client.
            builder.Services.AddHttpClient<IProfileSource, FirestoreProfileSource>()
                .RemoveAllResilienceHandlers()
                .AddStandardResilienceHandler(resilience =>
                {
                    resilience.AttemptTimeout.Timeout = firebase.AttemptTimeout;
                    resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
                    resilience.TotalRequestTimeout.Timeout = firebase.TotalTimeout;
                    resilience.CircuitBreaker.SamplingDuration = firebase.AttemptTimeout * 2 > TimeSpan.FromSeconds(30) ? firebase.AttemptTimeout * 2 : TimeSpan.FromSeconds(30);
                });
#pragma warning restore EXTEXP0001
        }
        else
        {
            builder.Services.AddSingleton<IProfileSource>(sp => sp.GetRequiredService<LocalFamilyDirectory>());
            if (!builder.Environment.IsDevelopment() && string.IsNullOrEmpty(builder.Configuration[$"{FamiliesOptions.SectionName}:{nameof(FamiliesOptions.LocalSigningKey)}"]))
            {
                throw new InvalidOperationException(LocalTokenIssuer.KeyRequired);
            }
        }

        builder.Services.AddSingleton<ProfileStore>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<DeviceAuthenticator>();
        builder.Services.AddSingleton<ParentAccess>();
        builder.Services.AddSingleton<IChildAccess>(sp => sp.GetRequiredService<ParentAccess>());
        builder.Services.AddSingleton<HistoryEraser>();
        builder.Services.AddSingleton<SignedOutTokens>();
        builder.Services.AddSingleton<FollowerAudit>();
        builder.Services.AddSingleton<IFollowers>(sp => sp.GetRequiredService<FollowerAudit>());
        builder.Services.AddSingleton<Microsoft.AspNetCore.SignalR.IUserIdProvider, ParentIds>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FollowerAudit>());
        builder.Services.AddSingleton<LocalTokenIssuer>();
        builder.AddParentAuthentication(firebase);
    }

    /// <summary>Which proxies may tell the gateway a client's real address (<see cref="ProxyOptions"/>); used by <c>UseForwardedHeaders</c>.</summary>
    private static void AddProxies(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ProxyOptions>(ProxyOptions.SectionName);
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxies) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = proxies.Value.ForwardLimit;
            if (!proxies.Value.TrustLoopback)
            {
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
            }
            foreach (var proxy in proxies.Value.KnownProxies) forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            foreach (var network in proxies.Value.KnownNetworks) forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
    }

    public const string RedisConnectionName = "redis";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });
        builder.AddRedisClient(RedisConnectionName);
        // Every API failure is a problem document; an outage of the profile source or Redis is a 503 (OutageExceptionHandler).
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<Api.OutageExceptionHandler>();
        // The parents' and debug APIs described (served in Development at /openapi/v1.json).
        builder.Services.AddOpenApi();

        builder.AddValidatedOptions<DeviceOptions>(DeviceOptions.SectionName);
        builder.AddValidatedOptions<ListeningOptions>(ListeningOptions.SectionName);
        builder.AddValidatedOptions<SessionRecordOptions>(SessionRecordOptions.SectionName);

        builder.AddFamilies();
        builder.AddProxies();
        builder.AddValidatedOptions<PairingOptions>(PairingOptions.SectionName);
        builder.Services.AddSingleton<PairingCodes>();
        builder.AddValidatedOptions<XiaozhiOptions>(XiaozhiOptions.SectionName);
        builder.Services.AddSingleton<XiaozhiDevices>();
        builder.Services.AddSingleton<XiaozhiActivation>();
        builder.Services.AddCors(cors => cors.AddPolicy(XiaozhiOtaApi.CorsPolicy, policy => policy
            .AllowAnyOrigin().WithMethods(HttpMethods.Get, HttpMethods.Post).WithHeaders(XiaozhiOtaApi.DeviceHeaders)));

        builder.Services.AddSingleton<GatewayTelemetry>();
        builder.Services.AddSingleton(sp =>
        {
            var sessions = ActivatorUtilities.CreateInstance<SessionStore>(sp);
            sessions.WatchConnection();
            return sessions;
        });
        builder.Services.AddSingleton<ReplyRelay>();
        builder.Services.AddSingleton<TurnAborter>();
        builder.Services.AddSingleton<DeviceStatusBoard>();
        builder.Services.AddSingleton<SileroVadModel>();
        builder.Services.AddSingleton<UtterancePublisher>();
        builder.Services.AddSingleton<DeviceRegistry>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DeviceRegistry>());

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
