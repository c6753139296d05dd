namespace Aspire.Hosting;

/// <summary>The gateway's links on the dashboard's resources page, by what a developer opens them for.</summary>
public static class NamedUrls
{
    public static IResourceBuilder<ProjectResource> WithNamedUrls(this IResourceBuilder<ProjectResource> gateway) =>
        gateway.WithUrls(context =>
        {
            var page = context.Urls.FirstOrDefault(u => u.Endpoint?.EndpointName == "http");
            if (page is null) return;
            var root = page.Url.TrimEnd('/');
            page.Url = $"{root}/?parent=demo-parent";
            page.DisplayText = "Parents' page";
            context.Urls.Add(new ResourceUrlAnnotation { Url = $"{root}/?parent=developer", DisplayText = "Debug view", Endpoint = page.Endpoint });
            // Not a page: the address a device (or the simulator) connects to, shown so it can be copied into firmware.
            var socket = new UriBuilder(root) { Scheme = root.StartsWith("https", StringComparison.Ordinal) ? "wss" : "ws", Path = "/ws/demo-child" };
            context.Urls.Add(new ResourceUrlAnnotation
            {
                Url = socket.Uri.ToString(), DisplayText = "Device socket", Endpoint = page.Endpoint, DisplayLocation = UrlDisplayLocation.DetailsOnly,
            });
        });
}
