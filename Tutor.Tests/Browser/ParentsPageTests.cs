using Microsoft.Playwright;
using Tutor.Contracts.Redis;
using Tutor.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Tutor.Tests.Browser;

/// <summary>
/// The parents' page in Debian's Chromium, driven by Playwright, against the real system: two gateways behind one Redis
/// (the page on one, the device on the other), an offline worker, and a device speaking espeak-ng audio.
/// </summary>
public sealed class ParentsPageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToContainTextOptions Soon = new() { Timeout = 30_000 };
    private readonly RedisServer _redis = new();
    private readonly TestFamilies _families = new();
    private readonly int _pagePort = RedisServer.FreePort();
    private GatewayHost _pageGateway = null!;
    private GatewayHost _deviceGateway = null!;
    private WorkerHost _worker = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _families.Child("page-child");
        _families.Child("other-child");
        _pageGateway = new GatewayHost(_redis, families: _families, port: _pagePort);
        _deviceGateway = new GatewayHost(_redis, new Dictionary<string, string> { ["Devices:ReplyPreBuffer"] = "00:00:05" }, _families);
        _worker = new WorkerHost(_redis, openAi: null);
        await _redis.WaitForSubscribersAsync(Channels.AudioProcessing, 1);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _worker.DisposeAsync();
        await _deviceGateway.DisposeAsync();
        await _pageGateway.DisposeAsync();
        await _redis.DisposeAsync();
        _families.Dispose();
    }

    [Fact]
    public async Task A_parent_sees_their_child_live_never_another_familys_and_the_page_fills_the_gap_after_its_gateway_restarts()
    {
        var (page, errors) = await SignInAsync("page-child");
        var (otherPage, otherErrors) = await SignInAsync("other-child");
        await Expect(page.Locator("#child-name")).ToHaveTextAsync("Child page-child");
        await Expect(otherPage.Locator("#child-name")).ToHaveTextAsync("Child other-child");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("Live");

        await using (var device = await _deviceGateway.ConnectDeviceAsync("page-child"))
        {
            await device.SpeakAsync(TestSpeech.Clearly("hello"), CancellationToken.None);
            await device.ListenForReplyAsync(CancellationToken.None);
        }

        await Expect(page.Locator("#transcript li.child")).ToContainTextAsync("hello", Soon);
        await Expect(page.Locator("#transcript li.tutor")).ToContainTextAsync("Hoy aprendemos los colores", Soon);
        await Expect(page.Locator("#progress")).ToContainTextAsync("Colours in English: step 2 of 7", Soon);
        await Expect(otherPage.Locator("#children")).Not.ToContainTextAsync("page-child");
        await Expect(otherPage.Locator("#transcript li")).ToHaveCountAsync(0);
        Assert.Empty(errors);
        Assert.Empty(otherErrors);
        var screenshot = Path.Combine(ParentsAppTests.Screenshots, "parents-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        output.WriteLine($"Screenshot of the parents' page: {screenshot}");

        // The page's gateway goes away; the child goes on talking through the other one.
        await _pageGateway.DisposeAsync();
        await Expect(page.Locator("#connection")).ToHaveTextAsync("Reconnecting…", new() { Timeout = 15_000 });
        await using (var device = await _deviceGateway.ConnectDeviceAsync("page-child"))
        {
            await device.SpeakAsync(TestSpeech.Clearly("red"), CancellationToken.None);
            await device.ListenForReplyAsync(CancellationToken.None);
        }
        _pageGateway = new GatewayHost(_redis, families: _families, port: _pagePort);

        await Expect(page.Locator("#connection")).ToHaveTextAsync("Live", new() { Timeout = 30_000 });
        await Expect(page.Locator("#transcript")).ToContainTextAsync("Great job!", Soon);
        await Expect(page.Locator("#transcript li")).ToHaveCountAsync(4);
        await Expect(page.Locator("#progress")).ToContainTextAsync("step 3 of 7 · 1 word(s) mastered"); // refreshed, not only the lines
        var recovered = Path.Combine(ParentsAppTests.Screenshots, "parents-page-after-restart.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = recovered, FullPage = true });
        output.WriteLine($"Screenshot after the gateway restart: {recovered}");
    }

    [Fact]
    public async Task The_developer_sees_every_session_and_each_turns_timings()
    {
        _families.Child("debug-child");
        var (page, _) = await SignInAsync("debug-child");
        await using var device = await _deviceGateway.ConnectDeviceAsync("debug-child");
        await Expect(page.Locator("#debug")).ToBeHiddenAsync(); // a parent is not a developer

        var admin = await File.ReadAllTextAsync(Path.Combine(_families.Directory, "debug-child.json"));
        await File.WriteAllTextAsync(Path.Combine(_families.Directory, "debug-child.json"), admin.Replace("\"admin\":false", "\"admin\":true"));
        var (developer, _) = await SignInAsync("debug-child");
        await device.SpeakAsync(TestSpeech.Clearly("hello"), CancellationToken.None);
        await device.ListenForReplyAsync(CancellationToken.None);

        await Expect(developer.Locator("#debug-sessions")).ToContainTextAsync("debug-child", Soon);
        await Expect(developer.Locator("#debug-turns")).ToContainTextAsync(" ms", Soon);
        var cells = await developer.Locator("#debug-turns tr").First.Locator("td").AllTextContentsAsync();
        Assert.Equal("debug-child", cells[0]);
        Assert.All(cells.Skip(1).Take(3), c => Assert.EndsWith(" ms", c));
        Assert.StartsWith(Environment.MachineName, cells[4]);
    }

    private async Task<(IPage Page, List<string> Errors)> SignInAsync(string child)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 420, Height = 860 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync($"http://127.0.0.1:{_pagePort}/");
        await page.GetByLabel("Parent id").FillAsync(TestFamilies.ParentOf(child));
        await page.GetByLabel("Passcode").FillAsync(TestFamilies.Passcode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        return (page, errors);
    }
}
