using System.Text.Json;
using Herald.Client;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.EventSourcing.Tests;

/// <summary><c>herald streams</c> and <c>herald projections</c>, run as the real program, on both stores.</summary>
public abstract class EventStoreCliScenarios : IDisposable
{
    private protected HeraldProgram Herald { get; } = new();

    protected string StoreDirectory => Path.Combine(Herald.DataDirectory, "events");

    /// <summary>The arguments that choose the store under test.</summary>
    protected abstract Task<string[]> StoreArgumentsAsync();

    public void Dispose() => Herald.Dispose();

    protected async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        await Herald.RunAsync(null, [.. args, .. await StoreArgumentsAsync()]);

    [Fact]
    public async Task Streams_are_appended_with_expected_versions_then_listed_and_read_as_text_and_json()
    {
        var placed = await RunAsync("streams", "append", "order-1", "--type", "OrderPlaced.v1", "--body", "{\"total\":30}", "--expected-version", "no-stream", "--correlation-id", "web-1");
        Assert.True(placed.ExitCode == 0, placed.Error);
        Assert.Contains("version 0", placed.Output, StringComparison.Ordinal);

        var paid = await RunAsync("streams", "append", "order-1", "--type", "OrderPaid.v1", "--body", "{\"amount\":30}", "--expected-version", "0", "--output", "json");
        Assert.Equal(1, JsonDocument.Parse(paid.Output).RootElement.GetProperty("nextExpectedVersion").GetInt64());

        var conflict = await RunAsync("streams", "append", "order-1", "--type", "OrderPaid.v1", "--body", "{}", "--expected-version", "0");
        Assert.Equal(1, conflict.ExitCode);
        Assert.Contains("expected at 0 but is at version 1", conflict.Error, StringComparison.Ordinal);

        var notJson = await RunAsync("streams", "append", "order-2", "--type", "X.v1", "--body", "{oops");
        Assert.Equal(2, notJson.ExitCode);
        Assert.Contains("--body is not JSON", notJson.Error, StringComparison.Ordinal);

        await RunAsync("streams", "append", "invoice-1", "--type", "InvoiceSent.v1", "--body", "{}");
        var list = await RunAsync("streams", "list", "--prefix", "order-", "--output", "json");
        Assert.Equal(["order-1"], JsonSerializer.Deserialize<string[]>(list.Output)!);

        var read = await RunAsync("streams", "read", "order-1", "--output", "json");
        var events = JsonDocument.Parse(read.Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(["OrderPlaced.v1", "OrderPaid.v1"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(30, events[0].GetProperty("data").GetProperty("total").GetInt32());
        Assert.Equal("web-1", events[0].GetProperty("correlationId").GetString());

        var last = await RunAsync("streams", "read", "order-1", "--backwards", "--count", "1");
        Assert.Contains("order-1@1", last.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("order-1@0", last.Output, StringComparison.Ordinal);

        var all = await RunAsync("streams", "read", "$all", "--type", "InvoiceSent", "--output", "json");
        Assert.Equal(["invoice-1"], JsonDocument.Parse(all.Output).RootElement.EnumerateArray().Select(e => e.GetProperty("stream").GetString()));
    }

    [Fact]
    public async Task Projections_report_their_status_and_are_rebuilt_on_request_while_the_application_runs()
    {
        var host = await StartApplicationAsync();
        try
        {
            var store = host.Services.GetRequiredService<IEventStore>();
            var last = await store.AppendAsync("order-9", ExpectedVersion.NoStream, [new EventData(Guid.CreateVersion7(), "CustomerOrdered.v1", "{\"customer\":\"c1\",\"total\":4}"u8.ToArray())]);
            var projections = host.Services.GetRequiredService<ProjectionManager>();
            await projections.WaitForAsync("revenue", last.Position + 1).WaitAsync(TimeSpan.FromSeconds(60));
            await WaitUntilAsync(async () => (await RunAsync("projections", "status", "revenue")).Output is var status && status.Contains("Live", StringComparison.Ordinal) && status.Contains("lag 0 events", StringComparison.Ordinal));

            var list = await RunAsync("projections", "list", "--output", "json");
            var revenue = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Single();
            Assert.Equal("revenue", revenue.GetProperty("name").GetString());
            Assert.Equal("Live", revenue.GetProperty("phase").GetString());
            Assert.Equal(1, revenue.GetProperty("generation").GetInt32());

            var rebuild = await RunAsync("projections", "rebuild", "revenue");
            Assert.True(rebuild.ExitCode == 0, rebuild.Error);
            await WaitUntilAsync(() => Task.FromResult(projections.GetStatus("revenue") is { Generation: 2, Phase: ProjectionPhase.Live }));
            Assert.Equal(4m, host.Services.GetRequiredService<RevenueProjection>().State.Revenue["c1"]);

            var unknown = await RunAsync("projections", "rebuild", "nope");
            Assert.Equal(1, unknown.ExitCode);
            Assert.Contains("No projection named 'nope'", unknown.Error, StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    private protected abstract Task<Microsoft.Extensions.Hosting.IHost> StartApplicationAsync();

    protected static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    protected async Task<Microsoft.Extensions.Hosting.IHost> StartAsync(Action<EventStoreBuilder> store)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHerald(h => h.UseEmbedded(Path.Combine(Herald.DataDirectory, "broker")).AddEvent<CustomerOrdered>())
            .AddEventStore(es => store(es.AddProjection<RevenueProjection>()));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}

public sealed class EmbeddedEventStoreCliTests : EventStoreCliScenarios
{
    protected override Task<string[]> StoreArgumentsAsync() => Task.FromResult(new[] { "--store", StoreDirectory });

    private protected override Task<Microsoft.Extensions.Hosting.IHost> StartApplicationAsync() => StartAsync(es => es.UseEmbedded(StoreDirectory));

    [Fact]
    public async Task A_store_open_in_another_process_is_refused_with_what_to_do_and_a_missing_one_is_named()
    {
        var missing = await RunAsync("streams", "list");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"No event store at '{StoreDirectory}'", missing.Error, StringComparison.Ordinal);

        await using (EmbeddedEventStore.Open(new EmbeddedEventStoreOptions { Directory = StoreDirectory }))
        {
            var locked = await RunAsync("streams", "read", "order-1");
            Assert.Equal(1, locked.ExitCode);
            Assert.Contains($"process {Environment.ProcessId}", locked.Error, StringComparison.Ordinal);
            Assert.Contains("one process at a time", locked.Error, StringComparison.Ordinal);
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresEventStoreCliTests(PostgresServer server) : EventStoreCliScenarios
{
    private string? _database;

    protected override async Task<string[]> StoreArgumentsAsync() => ["--postgres", await DatabaseAsync()];

    private protected override async Task<Microsoft.Extensions.Hosting.IHost> StartApplicationAsync()
    {
        var database = await DatabaseAsync();
        return await StartAsync(es => es.UsePostgres(database).UseProjectionDirectory(Path.Combine(Herald.DataDirectory, "projections")));
    }

    private async Task<string> DatabaseAsync() => _database ??= await server.CreateDatabaseAsync();
}
