using System.Globalization;
using System.Text;
using Herald.Storage;

// Appends batches with FlushPolicy.Always from several concurrent writers and prints one line per completed append:
// "<baseOffset> <recordCount> <crc>". A line is printed only after the append is durable, so the parent may hold the
// reopened log to every line it read, however abruptly this process dies.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Herald.Storage.CrashChild <directory> <seed> <segmentBytes>");
    return 2;
}

var directory = args[0];
var seed = int.Parse(args[1], CultureInfo.InvariantCulture);
var options = LogOptions.Default with { SegmentBytes = long.Parse(args[2], CultureInfo.InvariantCulture), IndexIntervalBytes = 512 };
using var log = PartitionLog.Open(directory, options);
var output = Console.OpenStandardOutput();
var outputLock = new Lock();
Console.Error.WriteLine($"opened at {log.LogEndOffset}");

var writers = new Task[4];
for (var w = 0; w < writers.Length; w++)
{
    var writer = w;
    writers[w] = Task.Run(async () =>
    {
        var random = new Random(seed * 31 + writer);
        for (var sequence = 0; ; sequence++)
        {
            var records = random.Next(1, 10);
            using var builder = new RecordBatchBuilder(RecordBatchOptions.Default with { Compression = (CompressionType)random.Next(0, 5) });
            for (var i = 0; i < records; i++)
            {
                var value = new byte[random.Next(0, 300)];
                random.NextBytes(value);
                builder.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Encoding.UTF8.GetBytes($"{writer}-{sequence}-{i}"), value);
            }

            var batch = builder.ToArray();
            var result = await log.AppendAsync(batch);
            if (!result.Succeeded)
            {
                Console.Error.WriteLine($"append refused: {result.Error}");
                Environment.Exit(3);
            }

            var crc = RecordBatchHeader.Read(batch).Crc;
            var line = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{result.BaseOffset} {records} {crc}\n"));
            lock (outputLock)
            {
                output.Write(line);
                output.Flush();
            }
        }
    });
}

await Task.WhenAll(writers);
return 0;
