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
            await publisher.PublishAsync(new OrderPlaced("o-0", 0, 0));
            using (var lost = new RecordBatchBuilder())
            {
                for (var i = 1; i <= 3; i++)
                {
                    lost.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, new byte[] { (byte)i }); // the batch is lost whole, whatever it holds
                }

                Assert.Equal(ErrorCode.None, (await writing.ProduceAsync("orders", 0, lost.ToArray())).Error);
            }

            await publisher.PublishAsync(new OrderPlaced("o-2", 4, 4));

            await host.StopAsync();
        }

        var (first, last) = FlipByteInLargestBatch(Path.Combine(_directory, "orders-0", "00000000000000000000.log"));
        Assert.Equal((1, 3), (first, last));
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
        Assert.Contains("damaged record batch", letter.ExceptionMessage, StringComparison.Ordinal);
        Assert.Contains($"offsets {first}..{last}", letter.ExceptionMessage, StringComparison.Ordinal);

        // Regression (found in review): the stand-in committed only past the batch's first offset, so every restart
        // dead-lettered the batch again.
        using var again = Build(broker, recorder, consume: true);
        await again.StartAsync();
        await Task.Delay(1500);
        var after = await again.Services.GetRequiredService<DeadLetterQueue>().ListAsync("orders.billing.dlq", null, CancellationToken.None);
        await again.StopAsync();
        Assert.Single(after);
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

    /// <summary>Flips a byte in the last record of the batch with the most records; returns its offsets.</summary>
    private static (long First, long Last) FlipByteInLargestBatch(string segment)
    {
        var bytes = File.ReadAllBytes(segment);
        var (chosen, header) = (0, RecordBatchHeader.Read(bytes));
        for (var position = 0; position < bytes.Length;)
        {
            var next = RecordBatchHeader.Read(bytes.AsSpan(position));
            if (next.RecordCount > header.RecordCount)
            {
                (chosen, header) = (position, next);
            }

            position += next.TotalSize;
        }

        bytes[chosen + header.TotalSize - 3] ^= 0x5A; // inside the last record's value: the CRC no longer matches
        File.WriteAllBytes(segment, bytes);
        return (header.BaseOffset, header.LastOffset);
    }
}
