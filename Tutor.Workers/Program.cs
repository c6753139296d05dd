namespace Tutor.Workers;

public sealed class Program
{
    public static void Main(string[] args)
    {
        // A worker has no public API; it is a web host only for its health endpoints and SignalR's IHubContext.
        var builder = WebApplication.CreateBuilder(args);

        builder.AddServiceDefaults();
        builder.AddApplicationServices();

        var app = builder.Build();

        app.MapDefaultEndpoints();

        app.Run();
    }
}
