using Tutor.Gateway.Devices;
using Tutor.Gateway.Families;
using Tutor.Gateway.Pairing;
using Tutor.Gateway.Pairing.Xiaozhi;
using Tutor.Gateway.Debug;
using Tutor.Realtime.Transcripts;

namespace Tutor.Gateway;

public sealed class Program
{
    public static void Main(string[] args)
    {
        if (args is ["hash-passcode"])
        {
            // For the local families directory: the passcode comes on stdin, so it stays out of the shell's history.
            Console.WriteLine(Passcodes.Hash(Console.ReadLine()?.TrimEnd('\r', '\n') ?? ""));
            return;
        }

        var builder = WebApplication.CreateBuilder(args);

        builder.AddServiceDefaults();
        builder.AddApplicationServices();

        var app = builder.Build();

        // First: everything after sees the client's address as a known proxy forwarded it (sign-in throttling counts by it).
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.MapDefaultEndpoints();
        // The parents' page and the debug view (wwwroot; the SignalR client comes from npm at build time).
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseWebSockets();
        app.MapPairingApi();
        app.MapXiaozhiOtaApi();
        app.MapDeviceApi();
        app.MapFamiliesApi();
        app.MapChildrenApi();
        app.MapLessonsApi();
        app.MapParentsApi();
        app.MapDebugApi();
        // A parent whose token expires is disconnected then, not when they next reconnect.
        if (app.Environment.IsDevelopment()) app.MapOpenApi();
        app.MapHub<TranscriptHub>(TranscriptHub.Path, hub => hub.CloseOnAuthenticationExpiration = true);

        app.Run();
    }
}
