using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

var redis = await builder.AddTutorRedisAsync("redis");

// Signs the parents' tokens of the local sign-in: generated once, kept in the AppHost's user secrets, given to the
// gateway only (never to the workers, never stored in Redis).
var signingKey = builder.AddParameter("local-signing-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);

var gateway = builder.AddProject<Projects.Tutor_Gateway>("gateway")
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Families__LocalSigningKey", signingKey)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithGatewaySettings(builder.Configuration)
    .WithNamedUrls();

var workers = builder.AddProject<Projects.Tutor_Workers>("workers")
    .WithReference(redis).WaitFor(redis)
    .WithOpenAi(builder.AddOpenAiSettings())
    .WithReplicas(builder.Configuration.GetValue("Workers:Replicas", 2))
    .WithHttpEndpoint()
    .WithHttpHealthCheck("/health")
    .WithDemoReset(redis);

// The ESP device simulator, as the demo family's child (Tutor.Gateway/families/demo.json): its buttons on the dashboard
// each take a real turn (Say hello, Answer right, Answer wrong, Interrupt); Start speaks the sample recording.
builder.AddProject<Projects.Tutor_Device>("device")
    .WithReference(gateway).WaitFor(gateway)
    .WithExplicitStart()
    .WithDemoTurns(gateway, redis, Path.Combine(Path.GetDirectoryName(new Projects.Tutor_Workers().ProjectPath)!, "lessons"));

builder.Build().Run();
