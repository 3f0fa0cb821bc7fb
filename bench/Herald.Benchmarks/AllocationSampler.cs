using System.Diagnostics.Tracing;
using Herald.Benchmarks.Kafka;

namespace Herald.Benchmarks;

/// <summary>
/// Finds what a Kafka-path benchmark allocates: runs it many times under the runtime's sampled allocation events (one
/// event per ~100 KB allocated) and prints the sampled types, most bytes first.
/// <c>dotnet run -c Release -- --allocations Produce 200000</c>.
/// </summary>
internal static class AllocationSampler
{
    public static async Task RunAsync(string benchmark, int invocations)
    {
        var bench = new KafkaPathBenchmarks();
        await bench.SetupAsync();
        Func<ValueTask> run = benchmark == "Fetch" ? bench.Fetch : bench.Produce;
        for (var i = 0; i < 100; i++)
        {
            await run(); // warm up: pools, tiered compilation
        }

        using var listener = new AllocationListener();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < invocations; i++)
        {
            await run();
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        listener.Dispose();
        await bench.CleanupAsync();
        Console.WriteLine($"{benchmark}: {allocated / (double)invocations:F1} B per invocation");
        foreach (var (type, bytes) in listener.Samples.OrderByDescending(s => s.Value))
        {
            Console.WriteLine($"{bytes,12:N0}  {type}");
        }
    }

    private sealed class AllocationListener : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;

        public Dictionary<string, long> Samples { get; } = [];

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, GcKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs data)
        {
            if (data.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || data.Payload is null)
            {
                return;
            }

            var type = data.Payload[data.PayloadNames!.IndexOf("TypeName")] as string ?? "?";
            var size = data.PayloadNames.IndexOf("ObjectSize") is var at and >= 0 ? Convert.ToInt64(data.Payload[at], System.Globalization.CultureInfo.InvariantCulture) : 0;
            type = $"{type} ({size:N0} B objects)";
            var amount = Convert.ToInt64(data.Payload[data.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
            lock (Samples)
            {
                Samples[type] = Samples.GetValueOrDefault(type) + amount;
            }
        }
    }
}
