using System.Globalization;
using System.Net;
using System.Text;
using Herald.Broker;
using Herald.Testing;

namespace Herald.Kafka.Tests;

/// <summary>
/// docs/kafka-compatibility.md lists the APIs and versions a running server answers. The table is rendered from the
/// server; this test fails when the two differ. HERALD_UPDATE_DOCS=1 rewrites the table instead.
/// </summary>
public sealed class CompatibilityDocTests
{
    private const string Start = "<!-- api-table:start (rendered by CompatibilityDocTests; HERALD_UPDATE_DOCS=1 dotnet test rewrites it) -->";
    private const string End = "<!-- api-table:end -->";

    [Fact]
    public async Task The_documented_api_table_matches_the_server()
    {
        await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { InMemory = true });
        await using var server = KafkaServer.Start(broker, new KafkaServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
        var table = Render(server.SupportedApis);

        var path = Path.Combine(RepositoryRoot.Path, "docs", "kafka-compatibility.md");
        var text = File.ReadAllText(path);
        var from = text.IndexOf(Start, StringComparison.Ordinal);
        var to = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"{path} lacks the table markers");
        var documented = text[(from + Start.Length)..to];
        if (Environment.GetEnvironmentVariable("HERALD_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, text[..(from + Start.Length)] + table + text[to..]);
            return;
        }

        Assert.Equal(table, documented);
    }

    private static string Render(IReadOnlyList<SupportedApi> apis)
    {
        var text = new StringBuilder("\n| Key | API | Versions | Flexible from |\n|---:|---|---|---|\n");
        foreach (var api in apis)
        {
            var flexible = api.FlexibleFrom == short.MaxValue ? "never" : "v" + api.FlexibleFrom.ToString(CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"| {api.Key} | {api.Name} | {api.MinVersion}–{api.MaxVersion} | {flexible} |\n");
        }

        return text.ToString();
    }
}
