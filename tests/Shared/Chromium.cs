namespace Herald.Testing;

/// <summary>Debian's chromium for Playwright (which cannot download its own browsers here), installed by the tests' own script when missing.</summary>
internal static class Chromium
{
    private static readonly SemaphoreSlim InstallOnce = new(1, 1);

    public static async Task<string> FindOrInstallAsync()
    {
        await InstallOnce.WaitAsync();
        try
        {
            var found = Find();
            if (found is null)
            {
                var (exit, output, error) = await ChildProcess.RunAsync("bash", [Path.Combine(RepositoryRoot.Path, "tests", "install-test-tools.sh")], timeout: TimeSpan.FromMinutes(10));
                Assert.True(exit == 0, $"tests/install-test-tools.sh failed ({exit}): {output}{error}");
                found = Find();
            }

            return found ?? throw new InvalidOperationException("chromium is not installed and tests/install-test-tools.sh did not install it.");
        }
        finally
        {
            InstallOnce.Release();
        }

        static string? Find() => new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
    }
}
