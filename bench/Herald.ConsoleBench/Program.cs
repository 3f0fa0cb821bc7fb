// Usage: dotnet run -c Release -- load URL TOPIC_ROWS     (the overview until it shows that many topics, 5 loads)
//        dotnet run -c Release -- tail URL TOPIC [RATE] [SECONDS]   (POSTs at RATE per second, one record each; the
//        page's EventSource measures each record's age on arrival, in the browser's clock, which is this machine's)
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Playwright;

if (args.Length < 3 || args[0] is not ("load" or "tail"))
{
    Console.Error.WriteLine("usage: load URL TOPIC_ROWS | tail URL TOPIC [RATE] [SECONDS]");
    return 2;
}

var baseUrl = args[1].TrimEnd('/');
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
if (args[0] == "load")
{
    var rows = int.Parse(args[2], CultureInfo.InvariantCulture);
    var loads = new List<double>();
    for (var i = 0; i < 5; i++)
    {
        await page.GotoAsync($"{baseUrl}/?load={i}");
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('#topics tbody tr').length >= {rows}", null, new() { Timeout = 60_000 });
        loads.Add(await page.EvaluateAsync<double>("() => performance.now()"));
    }

    Console.WriteLine($"load to {rows} topic rows (ms): {string.Join(", ", loads.Select(l => l.ToString("F0", CultureInfo.InvariantCulture)))}; median {loads.Order().ElementAt(2):F0}");
    return 0;
}

var topic = args[2];
var rate = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1000;
var seconds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 10;
await page.GotoAsync($"{baseUrl}/#/");
await page.EvaluateAsync("topic => { window.ages = []; const tail = new EventSource('/api/v1/topics/' + encodeURIComponent(topic) + '/tail'); tail.addEventListener('record', e => window.ages.push(performance.timeOrigin + performance.now() - JSON.parse(e.data).value.sentAt)); }", topic);
await Task.Delay(1000);
using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
var clock = Stopwatch.StartNew();
var sent = 0;
var posts = new List<Task>();
while (clock.Elapsed.TotalSeconds < seconds)
{
    for (var due = (long)(clock.Elapsed.TotalSeconds * rate); sent < due; sent++)
    {
        posts.Add(http.PostAsJsonAsync($"/api/v1/topics/{Uri.EscapeDataString(topic)}/records", new { value = new { sentAt = (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds } }));
    }

    await Task.Delay(1);
}

await Task.WhenAll(posts);
await Task.Delay(1000);
var ages = (await page.EvaluateAsync<double[]>("() => window.ages")).Order().ToArray();
double At(double q) => ages[Math.Min(ages.Length - 1, (int)(q * ages.Length))];
Console.WriteLine($"sent {sent}, received {ages.Length}; produce to browser event (ms): p50 {At(0.5):F2}, p99 {At(0.99):F2}, p99.9 {At(0.999):F2}, max {ages[^1]:F2}");
return ages.Length == sent ? 0 : 1;
