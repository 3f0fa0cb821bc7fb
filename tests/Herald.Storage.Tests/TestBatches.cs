using System.Buffers;
using System.Text;

namespace Herald.Storage.Tests;

/// <summary>Builds record batches for storage tests through the public builder, with values that identify themselves.</summary>
internal static class TestBatches
{
    public const long BaseTime = 1_700_000_000_000;

    public static byte[] Make(int records, int valueSize = 100, long timestamp = BaseTime, CompressionType compression = CompressionType.None, string tag = "v")
    {
        using var builder = new RecordBatchBuilder(RecordBatchOptions.Default with { Compression = compression });
        for (var i = 0; i < records; i++)
        {
            var value = new byte[valueSize];
            var label = Encoding.ASCII.GetBytes($"{tag}-{i}");
            label.AsSpan(0, Math.Min(label.Length, valueSize)).CopyTo(value);
            builder.Add(timestamp + i, Encoding.ASCII.GetBytes($"k{i}"), value);
        }

        return builder.ToArray();
    }

    /// <summary>Reads every record from <paramref name="from"/> to the end of the log.</summary>
    public static List<Record> ReadAll(PartitionLog log, long from)
    {
        var records = new List<Record>();
        var offset = from;
        while (offset < log.LogEndOffset)
        {
            var buffer = new ArrayBufferWriter<byte>();
            var result = log.Read(offset, 64 * 1024, buffer);
            Assert.Equal(ReadStatus.Ok, result.Status);
            Assert.True(result.BytesWritten > 0, $"read at {offset} returned nothing before the end {log.LogEndOffset}");
            foreach (var batch in RecordBatchReader.ReadAll(buffer.WrittenMemory))
            {
                foreach (var record in batch.Records)
                {
                    if (record.Offset >= offset)
                    {
                        records.Add(record);
                    }
                }

                offset = batch.Header.NextOffset;
            }
        }

        return records;
    }

    /// <summary>The headers of every stored batch from the log start to the end, checking each CRC.</summary>
    public static List<RecordBatchHeader> ReadAllHeaders(PartitionLog log)
    {
        var headers = new List<RecordBatchHeader>();
        var offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            var buffer = new ArrayBufferWriter<byte>();
            Assert.Equal(ReadStatus.Ok, log.Read(offset, 1024 * 1024, buffer).Status);
            var bytes = buffer.WrittenSpan;
            Assert.False(bytes.IsEmpty);
            while (!bytes.IsEmpty)
            {
                var header = RecordBatchHeader.Read(bytes);
                Assert.Equal(header.Crc, RecordBatchHeader.ComputeCrc(bytes[..header.TotalSize]));
                headers.Add(header);
                offset = header.NextOffset;
                bytes = bytes[header.TotalSize..];
            }
        }

        return headers;
    }
}
