using Tutor.Contracts.Transcripts;
using Tutor.Gateway;
using Tutor.Gateway.Devices;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseWebSockets();
app.MapDeviceApi();
app.MapHub<TranscriptHub>(TranscriptHub.Path);

app.Run();

namespace Tutor.Gateway
{
    public partial class Program;
}
