using Herald.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Broker.Tests;

public sealed class RetentionScheduleTests
{
    [Fact]
    public async Task The_broker_applies_retention_on_its_own_every_check_interval()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { InMemory = true, RetentionCheckInterval = TimeSpan.FromMinutes(5) }, timeProvider: clock);
        broker.CreateTopic("orders", 1, new Dictionary<string, string> { ["retention.ms"] = "3600000", ["segment.bytes"] = "1024" });
        var old = clock.GetUtcNow().AddDays(-2).ToUnixTimeMilliseconds();
        for (var i = 0; i < 10; i++)
        {
            using var builder = new RecordBatchBuilder();
            for (var r = 0; r < 5; r++)
            {
                builder.Add(old, null, new byte[50]);
            }

            await broker.ProduceAsync("orders", 0, builder.ToArray()).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, broker.ListOffset("orders", 0, OffsetQuery.Earliest).Offset);

        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(50, broker.ListOffset("orders", 0, OffsetQuery.Earliest).Offset);
    }
}
