using Tutor.Workers;

// A worker has no public API; it is a web host only for its health endpoints and SignalR's IHubContext.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();

namespace Tutor.Workers
{
    public partial class Program;
}
