using Microsoft.Extensions.DependencyInjection;
using Tutor.Contracts.Families;
using Tutor.Gateway.Families;
using Tutor.Tests.Infrastructure;

namespace Tutor.Tests.Security;

/// <summary>
/// Refused device sign-ins leave the operator a trail — which child was tried, from which address (the client's, behind
/// a trusted proxy), and when the check itself could not be made — with no secret in it.
/// </summary>
public sealed class SignInAuditTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task Refused_and_throttled_sign_ins_are_logged_with_the_child_and_the_clients_address_never_the_secret()
    {
        var telemetry = new ExportedTelemetry();
        await using var gateway = new GatewayHost(_redis, new Dictionary<string, string> { ["Families:MaxFailedSignIns"] = "2" },
            services: telemetry.AddTo);
        var token = gateway.Families.Child("audited-child");
        const string client = "203.0.113.44";

        var answers = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await RawUpgrade.RequestAsync(gateway.BaseAddress, "/ws/audited-child", $"Bearer {token}{i}", forwardedFor: client)).Status);
        }

        Assert.Equal([403, 403, 429], answers);
        // Event names are FamiliesLog's [LoggerMessage] methods.
        var refused = telemetry.Logs.Where(l => l.Contains("DeviceSignInRefused")).ToList();
        var throttled = telemetry.Logs.Where(l => l.Contains("DeviceSignInThrottled")).ToList();
        Assert.Equal(2, refused.Count);
        Assert.Single(throttled);
        Assert.All(refused.Concat(throttled), l =>
        {
            Assert.Contains("UserId=audited-child", l);
            Assert.Contains($"Address={client}", l);
        });
        var secret = token[(token.IndexOf('.') + 1)..];
        Assert.DoesNotContain(telemetry.All, l => l.Contains(secret));
    }

    [Fact]
    public async Task A_sign_in_that_cannot_be_checked_is_logged_for_that_child_and_answered_503()
    {
        var telemetry = new ExportedTelemetry();
        await using var gateway = new GatewayHost(_redis, services: services =>
        {
            telemetry.AddTo(services);
            services.AddSingleton<IProfileSource, UnreachableSource>();
        });
        var token = gateway.Families.Child("unchecked-child");

        var (status, _) = await RawUpgrade.RequestAsync(gateway.BaseAddress, "/ws/unchecked-child", $"Bearer {token}");

        Assert.Equal(503, status);
        var uncheckedLog = Assert.Single(telemetry.Logs, l => l.Contains("DeviceSignInUnchecked"));
        Assert.Contains("UserId=unchecked-child", uncheckedLog);
        Assert.Contains(nameof(ProfileSourceUnavailableException), uncheckedLog);
    }

    /// <summary>A profile source that is down: every call fails as Firestore's client does when it cannot answer.</summary>
    private sealed class UnreachableSource : IProfileSource
    {
        private static ProfileSourceUnavailableException Down() => new("The profile source is down (test).");

        public Task<ChildProfile?> FindAsync(string userId, CancellationToken cancellationToken) => throw Down();
        public Task<IReadOnlyList<ChildProfile>> ChildrenOfAsync(string parentId, CancellationToken cancellationToken) => throw Down();
        public Task<ChildProfile> UpdateDeviceSecretsAsync(string userId, Func<IReadOnlyList<DeviceSecret>, IReadOnlyList<DeviceSecret>> change,
            CancellationToken cancellationToken) => throw Down();
        public Task<ChildProfile> SaveChildAsync(ChildProfile child, bool create, CancellationToken cancellationToken) => throw Down();
        public Task DeleteChildAsync(string userId, CancellationToken cancellationToken) => throw Down();
    }
}
