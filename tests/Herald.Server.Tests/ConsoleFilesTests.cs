using System.Net;
using System.Net.Http.Headers;

namespace Herald.Server.Tests;

public sealed class ConsoleFilesTests(ServerUnderTest server) : IClassFixture<ServerUnderTest>
{
    [Fact]
    public async Task The_console_page_is_served_with_a_content_security_policy_and_its_assets_offline()
    {
        using var page = await server.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync();
        var assets = System.Text.RegularExpressions.Regex.Matches(html, "(?:src|href)=\"(/console/[^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("/console/vendor/uPlot.iife.min.js", assets);
        Assert.Contains("/console/app.js", assets);
        Assert.DoesNotContain("http", string.Join(' ', assets), StringComparison.Ordinal); // nothing from a CDN
        foreach (var asset in assets)
        {
            using var response = await server.Http.GetAsync(asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, asset);
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100, asset);
        }
    }

    [Fact]
    public async Task An_unchanged_asset_is_answered_304_and_an_unknown_one_404()
    {
        using var first = await server.Http.GetAsync("/console/app.js");
        var etag = first.Headers.ETag ?? throw new InvalidOperationException("no ETag");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/console/app.js");
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag));
        using var revalidated = await server.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);

        using var head = await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        using var missing = await server.Http.GetAsync("/console/../../etc/passwd");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var unknown = await server.Http.GetAsync("/console/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
