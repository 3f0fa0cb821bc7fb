using Herald.Client;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Herald.EventSourcing.Tests;

/// <summary>docs/event-sourcing.md's C# blocks compile together against Herald.EventSourcing: the guide cannot rot.</summary>
[Collection(PostgresCollection.Name)]
public sealed class GuideTests(PostgresServer server)
{
    [Fact]
    public void Every_csharp_block_in_the_guide_compiles()
    {
        var (blocks, errors) = GuideCompiler.Compile(Path.Combine(AppContext.BaseDirectory, "docs", "event-sourcing.md"));

        Assert.True(blocks >= 3, $"Found only {blocks} C# blocks.");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task The_guides_inline_postgresql_projection_answers_right_after_each_command()
    {
        var guide = GuideCompiler.Load(Path.Combine(AppContext.BaseDirectory, "docs", "event-sourcing.md"));
        var database = await server.CreateDatabaseAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHerald(h =>
            {
                foreach (var name in new[] { "OrderPlaced", "OrderPaid", "OrderShipped" })
                {
                    typeof(HeraldBuilder).GetMethod(nameof(HeraldBuilder.AddEvent))!.MakeGenericMethod(guide.GetType($"Shop.{name}", throwOnError: true)!).Invoke(h, [null]);
                }
            })
            .AddEventStore(es => es.UsePostgres(database).AddProjection((Projection)Activator.CreateInstance(guide.GetType("Shop.OrdersTable", throwOnError: true)!)!));
        using var host = builder.Build();
        await host.StartAsync();
        var projections = host.Services.GetRequiredService<ProjectionManager>();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (projections.GetStatus("orders_table") is not { Phase: ProjectionPhase.Live })
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        var store = host.Services.GetRequiredService<IEventStore>();
        await store.AppendAsync("order-7", ExpectedVersion.NoStream, [new EventData(Guid.CreateVersion7(), "OrderPlaced.v1", "{\"orderId\":\"7\",\"total\":12.5}"u8.ToArray())]);
        Assert.Equal(("placed", 12.5m), await OrderAsync(database, "7"));
        await store.AppendAsync("order-7", ExpectedVersion.Exactly(0), [new EventData(Guid.CreateVersion7(), "OrderPaid.v1", "{\"orderId\":\"7\",\"amount\":12.5}"u8.ToArray())]);
        Assert.Equal(("paid", 12.5m), await OrderAsync(database, "7"));
        await host.StopAsync();
    }

    private static async Task<(string Status, decimal Total)> OrderAsync(string database, string id)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT status, total FROM herald.orders WHERE id = $1", connection) { Parameters = { new() { Value = id } } };
        await using var reader = await query.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"order {id} is not in the read model");
        return (reader.GetString(0), reader.GetDecimal(1));
    }
}
