using Tutor.Contracts.Transcripts;
using Tutor.Gateway.Devices;
using Tutor.Gateway.Families;

namespace Tutor.Gateway;

public sealed class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        builder.AddServiceDefaults();
        builder.AddApplicationServices();

        var app = builder.Build();

        app.MapDefaultEndpoints();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseWebSockets();
        app.MapDeviceApi();
        app.MapFamiliesApi();
        app.MapHub<TranscriptHub>(TranscriptHub.Path);

        app.Run();
    }
}
