using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tutor.Tests.Infrastructure;

/// <summary>
/// Where the AppHost's services send their telemetry in a test, as they would to the dashboard: an OTLP/HTTP receiver
/// that keeps each export's body. Spans arrive as protobuf, whose strings (span names, attribute values) are plain UTF-8,
/// so a test can look for names in them without a protobuf decoder.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<byte[]> _traces = new();
    private WebApplication? _app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every trace export received so far, as text (protobuf framing bytes and all).</summary>
    public string Traces => string.Concat(_traces.Select(body => Encoding.UTF8.GetString(body)));

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            _traces.Enqueue(body.ToArray());
            return Results.Ok();
        });
        _app.MapPost("/v1/{signal}", () => Results.Ok()); // metrics and logs: accepted, not kept
        await _app.StartAsync();
        Endpoint = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
