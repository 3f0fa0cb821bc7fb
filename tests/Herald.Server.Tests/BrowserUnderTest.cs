using Herald.Testing;
using Microsoft.Playwright;

namespace Herald.Server.Tests;

/// <summary>
/// A real server and Debian's chromium driven by Playwright (its own browser download cannot be reached here, so
/// <c>tests/install-test-tools.sh</c> installs chromium when it is missing).
/// </summary>
public sealed class BrowserUnderTest : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public ServerUnderTest Server { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: docs/img/console with HERALD_UPDATE_SCREENSHOTS=1 (to refresh the docs), else beside the test run.</summary>
    public static string ScreenshotDirectory { get; } = Environment.GetEnvironmentVariable("HERALD_UPDATE_SCREENSHOTS") == "1"
        ? Path.Combine(RepositoryRoot.Path, "docs", "img", "console")
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        var chromium = await Chromium.FindOrInstallAsync();
        await Server.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox", "--disable-dev-shm-usage"] });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>A new page at <paramref name="width"/>×<paramref name="height"/>, collecting the console errors it logs.</summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, BaseURL = Server.Server.HttpAddress!.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add(error);
            }
        };
        return (page, errors);
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
}
