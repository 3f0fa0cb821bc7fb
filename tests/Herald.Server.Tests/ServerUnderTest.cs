using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Broker;
using Herald.Kafka;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Tests;

/// <summary>A real <see cref="HeraldServer"/> on a temporary data directory, with Kafka and HTTP on free loopback ports.</summary>
public sealed class ServerUnderTest : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static int _topics;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "herald-server-" + Guid.NewGuid().ToString("N"));

    public HeraldServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>Overrides applied to the options before start (a smaller tail buffer, say).</summary>
    public Func<HttpOptions, HttpOptions> ConfigureHttp { get; init; } = options => options;

    public string Bootstrap => Server.Kafka.BootstrapServers;

    public static string NewTopic(string prefix = "t") => $"{prefix}-{Interlocked.Increment(ref _topics)}-{Guid.NewGuid().ToString("N")[..6]}";

    public async Task InitializeAsync()
    {
        var options = new HeraldServerOptions
        {
            Broker = BrokerOptions.Default with { DataDirectory = Directory },
            Kafka = KafkaServerOptions.Default with { Listen = new IPEndPoint(IPAddress.Loopback, 0) },
            Http = ConfigureHttp(HttpOptions.Default with { Listen = new IPEndPoint(IPAddress.Loopback, 0) }),
        };
        Server = await HeraldServer.StartAsync(options, logging => logging.SetMinimumLevel(LogLevel.Warning)).WaitAsync(Timeout);
        Http = new HttpClient { BaseAddress = Server.HttpAddress, Timeout = Timeout };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync().AsTask().WaitAsync(Timeout);
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    public async Task<string> CreateTopicAsync(int partitions = 1, string prefix = "t")
    {
        var name = NewTopic(prefix);
        using var response = await Http.PostAsJsonAsync("/api/v1/topics", new { name, partitions });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return name;
    }

    public async Task<JsonElement> GetJsonAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> SendJsonAsync(HttpMethod method, string path, object? body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
