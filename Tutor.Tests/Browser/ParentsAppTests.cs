using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tutor.Contracts.Devices;
using Tutor.Device;
using Tutor.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tutor.Tests.Browser;

/// <summary>
/// What a parent does on the page without a terminal, in Debian's Chromium against a live gateway and worker: pair a
/// device with the code it speaks, revoke it, add, edit and delete a child, choose a lesson and hear it start, read the
/// progress pictures, and all of it in Spanish. Each test leaves a screenshot in <c>screenshots/</c> beside the test output.
/// </summary>
public sealed class ParentsAppTests : TurnTestBed, IAsyncLifetime
{
    private static readonly LocatorAssertionsToContainTextOptions Soon = new() { Timeout = 30_000 };
    private static readonly LocatorAssertionsToHaveTextOptions SoonExactly = new() { Timeout = 30_000 };
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public ParentsAppTests() : base(new Dictionary<string, string> { ["Pairing:CheckInterval"] = "00:00:00.100", ["Devices:ReplyPreBuffer"] = "00:00:05" })
    {
    }

    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await DisposeAsync();
    }

    [Fact]
    public async Task Pairing_the_device_speaks_its_code_the_parent_types_it_and_the_device_then_talks()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var page = await SignInAsync("pairing-child");
        await Expect(page.Locator("#devices")).ToContainTextAsync("pairing-child-device", Soon);
        var spoken = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The simulator asks for a code and says it; the test reads the digits from what the device said.
        var pairing = DevicePairing.PairAsync(Gateway.BaseAddress, DeviceProfile.Pcm16, _ => Task.CompletedTask,
            sentence => { spoken.TrySetResult(sentence); return Task.CompletedTask; }, timeout.Token);
        var said = await spoken.Task.WaitAsync(timeout.Token);
        var code = string.Concat(Regex.Match(said, @"(\d, ){5}\d").Value.Where(char.IsAsciiDigit));
        await page.GetByLabel("Code the device says").FillAsync(code);
        await page.GetByLabel("Device name").FillAsync("Bedroom speaker");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pair", Exact = true }).ClickAsync();
        var device = await pairing;

        await Expect(page.Locator("#pair-result")).ToHaveTextAsync("Paired. The device is connecting.");
        await using var paired = await DeviceClient.ConnectAsync(Gateway.BaseAddress, device.UserId, device.Token, DeviceProfile.Pcm16, timeout.Token);
        await paired.SpeakAsync(TestAudio.Utterance(TimeSpan.FromMilliseconds(800)), timeout.Token);
        var reply = await paired.ListenForReplyAsync(timeout.Token);
        Assert.Equal("pairing-child", device.UserId);
        Assert.Null(reply.Error);
        await Expect(page.Locator("#devices li", new() { HasText = "Bedroom speaker" })).ToContainTextAsync("Listening", Soon);
        await Expect(page.Locator("#transcript li.tutor")).Not.ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await ScreenshotAsync(page, "devices-after-pairing");
    }

    [Fact]
    public async Task Revoking_a_device_on_the_page_disconnects_it_at_once()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var page = await SignInAsync("revoking-child");
        await using var device = await Gateway.ConnectDeviceAsync("revoking-child", cancellationToken: timeout.Token);
        var row = page.Locator("#devices li", new() { HasText = "revoking-child-device" });
        await Expect(row).ToContainTextAsync("Listening", Soon);
        page.Dialog += (_, dialog) => dialog.AcceptAsync();

        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke: revoking-child-device" }).ClickAsync();
        var told = await device.NextMessageAsync(timeout.Token);

        Assert.Equal((DeviceMessageTypes.Error, DeviceErrorCodes.DeviceRevoked), (told.Type, told.Code));
        Assert.Null(await device.ReceiveAsync(timeout.Token));
        await Expect(row).ToContainTextAsync("revoked", Soon);
    }

    [Fact]
    public async Task A_parent_adds_edits_and_deletes_a_child_on_the_page()
    {
        var page = await SignInAsync("eldest-child");
        await Expect(page.Locator("#child-name")).ToHaveTextAsync("Child eldest-child", SoonExactly);

        await page.GetByText("Add a child").ClickAsync();
        var add = page.Locator("#add-child-form");
        await add.GetByLabel("Name", new() { Exact = true }).FillAsync("Pablo");
        await add.GetByLabel("Age", new() { Exact = true }).FillAsync("5");
        await add.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#child-name")).ToHaveTextAsync("Pablo", SoonExactly);
        await Expect(page.Locator("#children")).ToContainTextAsync("Pablo");

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var edit = page.Locator("#edit-child-form");
        await edit.GetByLabel("Name", new() { Exact = true }).FillAsync("Pablo M.");
        await edit.GetByLabel("Level", new() { Exact = true }).SelectOptionAsync("intermediate");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#child-name")).ToHaveTextAsync("Pablo M.", SoonExactly);
        await ScreenshotAsync(page, "child-added");

        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete child" }).ClickAsync();
        await Expect(page.Locator("#children")).Not.ToContainTextAsync("Pablo", Soon);
        await Expect(page.Locator("#child-name")).ToHaveTextAsync("Child eldest-child", SoonExactly);
        var family = string.Concat(Directory.GetFiles(Gateway.Families.Directory).Select(File.ReadAllText));
        Assert.DoesNotContain("Pablo", family);
    }

    [Fact]
    public async Task A_parent_chooses_a_lesson_and_the_child_hears_it_start()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var page = await SignInAsync("lesson-child");
        var freeTalk = page.Locator("#lessons li", new() { HasText = "Let's talk: my day" });
        await Expect(freeTalk).ToBeVisibleAsync(new() { Timeout = 30_000 });

        await freeTalk.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(freeTalk).ToContainTextAsync("starts next", Soon);
        await using var device = await Gateway.ConnectDeviceAsync("lesson-child", cancellationToken: timeout.Token);
        await device.SpeakAsync(TestAudio.Utterance(TimeSpan.FromMilliseconds(800)), timeout.Token);
        var reply = await device.ListenForReplyAsync(timeout.Token);

        Assert.Equal(ShippedLessons.OpeningOf("free-talk-en"), reply.Sentences);
        await page.ReloadAsync();
        await Expect(page.Locator("#lessons li", new() { HasText = "Let's talk: my day" })).ToContainTextAsync("current", Soon);
        await ScreenshotAsync(page, "lessons");
    }

    [Fact]
    public async Task The_words_chart_draws_a_point_for_each_turn_that_mastered_a_word()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var page = await SignInAsync("chart-child");
        await using var device = await Gateway.ConnectDeviceAsync("chart-child", cancellationToken: timeout.Token);
        var pcm = TestAudio.Utterance(TimeSpan.FromMilliseconds(800));
        // The colours lesson opens, then: red (right), blue (right) — two words mastered in two turns — then a miss.
        foreach (var said in new[] { "hello", "it is red", "blue", "green" })
        {
            OpenAi.NextTranscripts.Enqueue(said);
            await device.SpeakAsync(pcm, timeout.Token);
            await device.ListenForReplyAsync(timeout.Token);
        }

        await Expect(page.Locator("#progress")).ToContainTextAsync("2 word(s) mastered", Soon);
        await Expect(page.Locator("#chart-mastered circle.point")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await Expect(page.Locator("#chart-lessons rect.bar")).ToHaveCountAsync(2);
        await Expect(page.Locator("#chart-talk rect.bar")).ToHaveCountAsync(14);
        // The last turn's miss is drawn once its progress reaches the page, which may be after the two mastered words.
        await Expect(page.Locator("#chart-lessons rect.bar.right title")).ToContainTextAsync("2 right, 1 not yet", Soon);
        await ScreenshotAsync(page, "progress");
    }

    [Fact]
    public async Task The_page_speaks_spanish_chosen_from_the_browser_and_switchable()
    {
        var page = await SignInAsync("spanish-child", locale: "es-ES");
        await Expect(page.Locator("#family-title")).ToHaveTextAsync("Tus hijos", SoonExactly);
        await Expect(page.Locator("#progress-title")).ToHaveTextAsync("Progreso");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "es");
        await ScreenshotAsync(page, "spanish");

        await page.GetByLabel("Idioma", new() { Exact = true }).SelectOptionAsync("en");
        await Expect(page.Locator("#family-title")).ToHaveTextAsync("Your children");
        await page.ReloadAsync();
        await Expect(page.Locator("#family-title")).ToHaveTextAsync("Your children", SoonExactly); // the choice is kept
    }

    private async Task<IPage> SignInAsync(string child, string locale = "en-US")
    {
        Gateway.Families.Child(child);
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 420, Height = 1400 },
            Locale = locale,
            TimezoneId = "Europe/Madrid",
        });
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => Console.WriteLine($"page error: {error}");
        await page.GotoAsync(Gateway.BaseAddress.ToString());
        await page.Locator("#parent-id").FillAsync(TestFamilies.ParentOf(child));
        await page.Locator("#passcode").FillAsync(TestFamilies.Passcode);
        await page.Locator("#sign-in-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#connection")).Not.ToHaveTextAsync(new Regex("^(Not signed in|Sin sesión)$"), new() { Timeout = 30_000 });
        return page;
    }

    private static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{name}.png"), FullPage = true });
}
