using System.Globalization;
using System.Text;
using Herald.Broker;
using Herald.Storage;

// Produces idempotent batches (acks=all) and commits group offsets until killed, printing a line only after each
// acknowledgement: "A partition baseOffset" for a batch, "C partition offset" for a commit.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Herald.Broker.CrashChild <data directory>");
    return 2;
}

await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = args[0] });
if (broker.DescribeTopic("crash") is null)
{
    var created = broker.CreateTopic("crash", 2, new Dictionary<string, string> { ["retention.ms"] = "123456789" });
    if (!created.Succeeded)
    {
        Console.Error.WriteLine(created.Message);
        return 3;
    }
}

var output = Console.OpenStandardOutput();
void Report(string line)
{
    output.Write(Encoding.ASCII.GetBytes(line + "\n"));
    output.Flush();
}

var (producerId, epoch) = broker.InitProducerId();
var sequences = new int[2];
for (var i = 0; ; i++)
{
    var partition = i % 2;
    using var builder = new RecordBatchBuilder(RecordBatchOptions.Default with { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = sequences[partition] });
    var records = 1 + (i % 7);
    for (var r = 0; r < records; r++)
    {
        builder.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, Encoding.UTF8.GetBytes($"{producerId}/{partition}/{sequences[partition] + r}"));
    }

    var result = await broker.ProduceAsync("crash", partition, builder.ToArray(), Acks.All);
    if (result.Error != ErrorCode.None)
    {
        Console.Error.WriteLine($"produce failed: {result.Error}");
        return 4;
    }

    sequences[partition] += records;
    Report(string.Create(CultureInfo.InvariantCulture, $"A {partition} {result.BaseOffset}"));
    if (i % 10 == 9)
    {
        var next = result.BaseOffset + records;
        if (broker.CommitOffsets("crash-group", [new CommittedOffset(new TopicPartition("crash", partition), next)]).Succeeded)
        {
            Report(string.Create(CultureInfo.InvariantCulture, $"C {partition} {next}"));
        }
    }
}
