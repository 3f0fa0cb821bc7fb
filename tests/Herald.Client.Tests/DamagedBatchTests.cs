using Herald.Broker;
using Herald.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Client.Tests;

/// <summary>
/// A batch already on disk whose records cannot be read, as a flipped bit leaves it. Regression: the embedded consumer
/// threw on it at every poll, so the supervisor restarted it for ever and the events after it were never handled.
/// </summary>
public sealed class DamagedBatchTests : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-client-" + Guid.NewGuid().ToString("N"));

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_damaged_batch_is_dead_lettered_with_its_offsets_and_the_events_after_it_are_handled()
    {
        await using (var writing = await HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = _directory }))
        {
            using var host = Build(writing, new Recorder(), consume: false);
            await host.StartAsync();
            var publisher = host.Services.GetRequiredService<IEventPublisher>();
            for (var i = 0; i < 3; i++)
            {
                await publisher.PublishAsync(new OrderPlaced($"o-{i}", i, i)); // one batch each
            }

            await host.StopAsync();
        }

        FlipByteInBatch(Path.Combine(_directory, "orders-0", "00000000000000000000.log"), batchIndex: 1);
        await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = _directory });
        var recorder = new Recorder();
        using var consumer = Build(broker, recorder, consume: true);
        await consumer.StartAsync();

        await recorder.WaitUntilAsync(h => h.Count == 2);
        var dlq = consumer.Services.GetRequiredService<DeadLetterQueue>();
        IReadOnlyList<DeadLetter> letters = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(30); letters.Count == 0 && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            letters = broker.TopicExists("orders.billing.dlq") ? await dlq.ListAsync("orders.billing.dlq", null, CancellationToken.None) : [];
        }

        await consumer.StopAsync();

        Assert.Equal(["o-0", "o-2"], recorder.Snapshot().Select(h => h.Event.OrderId).Order());
        var letter = Assert.Single(letters);
        Assert.Equal(1, letter.OriginalOffset);
        Assert.Contains("damaged record batch", letter.ExceptionMessage, StringComparison.Ordinal);
        Assert.Contains("offsets 1..1", letter.ExceptionMessage, StringComparison.Ordinal);
    }

    private static IHost Build(HeraldBroker broker, Recorder recorder, bool consume)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(recorder);
        builder.Services.AddHerald(h =>
        {
            h.UseEmbedded(broker).MapTopic<OrderPlaced>("orders");
            if (consume)
            {
                h.AddConsumer<OrderHandler>("orders", "billing", c => c.CommitInterval = TimeSpan.FromMilliseconds(50));
            }
        });
        return builder.Build();
    }

    private static void FlipByteInBatch(string segment, int batchIndex)
    {
        var bytes = File.ReadAllBytes(segment);
        var position = 0;
        for (var i = 0; i < batchIndex; i++)
        {
            position += RecordBatchHeader.Read(bytes.AsSpan(position)).TotalSize;
        }

        var end = position + RecordBatchHeader.Read(bytes.AsSpan(position)).TotalSize;
        bytes[end - 3] ^= 0x5A; // inside the last record's value: the CRC no longer matches
        File.WriteAllBytes(segment, bytes);
    }
}
