using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Tutor.Tests.Infrastructure;

/// <summary>A WebSocket upgrade request written by hand, to see exactly what the gateway answers before any upgrade.</summary>
public static class RawUpgrade
{
    /// <param name="forwardedFor">An <c>X-Forwarded-For</c> header, as a proxy in front of the gateway would add.</param>
    public static async Task<(int Status, string Body)> RequestAsync(Uri gateway, string pathAndQuery, string? authorization = null, string? forwardedFor = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(gateway.Host, gateway.Port);
        var stream = tcp.GetStream();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = new StringBuilder()
            .Append($"GET {pathAndQuery} HTTP/1.1\r\nHost: {gateway.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
            .Append($"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n");
        if (authorization is not null) request.Append($"Authorization: {authorization}\r\n");
        if (forwardedFor is not null) request.Append($"X-Forwarded-For: {forwardedFor}\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var response = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0) break;
            response.Write(buffer, 0, read);
            var text = Encoding.UTF8.GetString(response.ToArray());
            var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headerEnd < 0) continue;
            var status = int.Parse(text.Split(' ')[1]);
            if (status == 101) return (status, "");
            var headers = text[..headerEnd].Split("\r\n");
            var body = Encoding.UTF8.GetString(response.ToArray().AsSpan(Encoding.UTF8.GetByteCount(text[..(headerEnd + 4)])));
            if (headers.Any(h => h.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)))
            {
                if (!body.EndsWith("0\r\n\r\n", StringComparison.Ordinal)) continue;
                return (status, Unchunk(body));
            }
            var lengthLine = headers.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            var length = lengthLine is null ? 0 : int.Parse(lengthLine.Split(':')[1].Trim());
            if (Encoding.UTF8.GetByteCount(body) >= length) return (status, body);
        }
        throw new IOException("The gateway closed the connection without an answer.");
    }

    private static string Unchunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..lineEnd], 16);
            if (size == 0) return body.ToString();
            body.Append(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }

    /// <summary>
    /// A refusal with the request's own trace id taken out: what is left is all a caller learns, so two refusals that
    /// must not be told apart (an unknown user, a wrong secret) compare equal.
    /// </summary>
    public static (int Status, string Body) WithoutTraceId((int Status, string Body) answer) =>
        (answer.Status, System.Text.RegularExpressions.Regex.Replace(answer.Body, "\"trace_?[iI]d\":\"[^\"]*\"", ""));
}
