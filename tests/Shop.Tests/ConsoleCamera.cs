using Herald.Testing;
using Microsoft.Playwright;
using Shop.Demo;

namespace Shop.Tests;

/// <summary>
/// Photographs herald serve's console while the shop runs, for docs/shop.md: with HERALD_UPDATE_SCREENSHOTS=1 into
/// docs/img/shop, otherwise beside the test run. Each picture is taken once, when the run first shows what it is of;
/// a picture that fails (the page changed under it) fails the test at the end.
/// </summary>
internal sealed class ConsoleCamera : IProgress<DemoSnapshot>, IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly IBrowserContext _context;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly HashSet<string> _taken = [];
    private readonly List<Task> _shots = [];

    private ConsoleCamera(IPlaywright playwright, IBrowser browser, IBrowserContext context)
    {
        _playwright = playwright;
        _browser = browser;
        _context = context;
    }

    public static string Directory { get; } = Environment.GetEnvironmentVariable("HERALD_UPDATE_SCREENSHOTS") == "1"
        ? Path.Combine(RepositoryRoot.Path, "docs", "img", "shop")
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task<ConsoleCamera> OpenAsync(Uri console)
    {
        var chromium = await Chromium.FindOrInstallAsync();
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox", "--disable-dev-shm-usage"] });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = console.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        System.IO.Directory.CreateDirectory(Directory);
        return new ConsoleCamera(playwright, browser, context);
    }

    public void Report(DemoSnapshot value)
    {
        if (value.Phase != "running")
        {
            return;
        }

        if (value.OrdersPlaced > 50)
        {
            Shoot("overview", "/#/", page => page.Locator("a", new() { HasText = "shop.orders" }).First);
        }

        if (value.Consumers.Any(c => c.Group == "email" && c.Lag > 100))
        {
            Shoot("lag", "/#/groups/email", page => page.Locator("#group-lag"));
        }

        if (value.DeadLettered > 0 && value.Redriven == 0)
        {
            Shoot("dead-letters", "/#/dead-letters/shop.payments.inventory.dlq", page => page.Locator("#dead-letter-count"));
        }
    }

    /// <summary>An order's events across the topics, found by its id, and its stream in the event store.</summary>
    public async Task ShootOrderAsync(string orderId)
    {
        var page = await _context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync("/#/trace");
        await page.GetByLabel("Correlation id or trace id").FillAsync(orderId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Look up" }).ClickAsync();
        await Assertions.Expect(page.Locator("#trace ol > li").Nth(4)).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Directory, "trace.png"), FullPage = true });
        await page.GotoAsync($"/#/streams/order-{orderId}");
        await Assertions.Expect(page.Locator("details.record").Nth(2)).ToBeVisibleAsync();
        await page.Locator("details.record summary").First.ClickAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Directory, "order-stream.png"), FullPage = true });
        await page.CloseAsync();
    }

    /// <summary>Waits for the pictures in progress; throws if one failed.</summary>
    public Task DevelopAsync() => Task.WhenAll(_shots).WaitAsync(TimeSpan.FromMinutes(1));

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_shots.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
        await _context.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private void Shoot(string name, string route, Func<IPage, ILocator> ready)
    {
        lock (_taken)
        {
            if (!_taken.Add(name))
            {
                return;
            }

            _shots.Add(Task.Run(async () =>
            {
                await _oneAtATime.WaitAsync();
                try
                {
                    var page = await _context.NewPageAsync();
                    page.SetDefaultTimeout(20_000);
                    await page.GotoAsync(route);
                    await Assertions.Expect(ready(page)).ToBeVisibleAsync();
                    await Task.Delay(4000); // the page's charts draw from its first few polls
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Directory, name + ".png"), FullPage = true });
                    await page.CloseAsync();
                }
                finally
                {
                    _oneAtATime.Release();
                }
            }));
        }
    }
}
