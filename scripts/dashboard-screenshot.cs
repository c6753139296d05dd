#:package Microsoft.Playwright
#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
// The README's dashboard screenshots, from a running AppHost (./run.sh), with Debian's chromium:
//   dotnet run scripts/dashboard-screenshot.cs -- resources out.png [press "Say hello"]   the device's buttons (and press one)
//   dotnet run scripts/dashboard-screenshot.cs -- traces out.png                         the Traces page
//   dotnet run scripts/dashboard-screenshot.cs -- trace out.png "strawberry: correct"     the first trace whose name has that text
using Microsoft.Playwright;

var (what, output) = (args[0], args[1]);
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1500, Height = what == "trace" ? 1500 : 900 } });
await page.GotoAsync(what == "resources" ? "http://localhost:15080/" : "http://localhost:15080/traces");
await page.WaitForTimeoutAsync(5000); // the dashboard is a Blazor app: let it connect and render
switch (what)
{
    case "trace":
        await page.GetByText(args[2]).First.ClickAsync();
        await page.WaitForTimeoutAsync(3000);
        break;
    case "resources":
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Tutor.Device" }).First.GetByRole(AriaRole.Button).Last.ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Commands" }).HoverAsync();
        await page.WaitForTimeoutAsync(1000);
        if (args.Length > 3 && args[2] == "press")
        {
            await page.GetByRole(AriaRole.Menuitem, new() { Name = args[3], Exact = true }).ClickAsync();
            await page.WaitForTimeoutAsync(20000); // the turn, spoken in real time
        }
        break;
}
await page.ScreenshotAsync(new() { Path = output });
Console.WriteLine($"{output}: {await page.TitleAsync()}");
