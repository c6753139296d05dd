using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tutor.AppHost.Redis;

/// <summary>Healthy once the server answers PING, so that <c>WaitFor(redis)</c> waits for a server that is really up.</summary>
internal sealed class RedisPingHealthCheck(Func<CancellationToken, ValueTask<string?>> connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var address = await connectionString(cancellationToken);
        if (string.IsNullOrEmpty(address) || address.LastIndexOf(':') is var colon && colon <= 0)
        {
            return HealthCheckResult.Unhealthy("The Redis endpoint is not allocated yet.");
        }

        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..]), cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            var reply = Encoding.ASCII.GetString(buffer, 0, read);
            return reply.StartsWith("+PONG", StringComparison.Ordinal)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Redis answered '{reply.Trim()}' to PING.");
        }
        catch (SocketException ex)
        {
            return HealthCheckResult.Unhealthy($"Redis at {address} is not reachable: {ex.SocketErrorCode}.");
        }
    }
}
