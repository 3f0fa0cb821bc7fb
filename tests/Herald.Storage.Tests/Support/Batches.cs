using System.Buffers.Binary;

namespace Herald.Storage.Tests.Support;

/// <summary>Builds batches for tests, through the builder or byte by byte.</summary>
internal static class Batches
{
    public static byte[] Build(RecordBatchOptions options, IReadOnlyList<TestRecord> records)
    {
        using var builder = new RecordBatchBuilder(options);
        foreach (var record in records)
        {
            Add(builder, record);
        }

        return builder.ToArray();
    }

    public static void Add(RecordBatchBuilder builder, TestRecord record)
    {
        var headers = new RecordHeader[record.Headers.Length];
        for (int i = 0; i < headers.Length; i++)
        {
            headers[i] = new RecordHeader(record.Headers[i].Key, Nullable(record.Headers[i].Value));
        }

        builder.Add(record.Timestamp, Nullable(record.Key), Nullable(record.Value), headers);
    }

    /// <summary>
    /// A null array must become a null memory. Both the implicit conversion from byte[] and a conditional such as
    /// <c>bytes is null ? null : (ReadOnlyMemory&lt;byte&gt;)bytes</c> turn it into an empty, non-null one.
    /// </summary>
    public static ReadOnlyMemory<byte>? Nullable(byte[]? bytes)
    {
        if (bytes is null)
        {
            return null;
        }

        return bytes;
    }

    /// <summary>
    /// A batch around a hand-made records section, with a correct length and CRC, so that only what the test
    /// means to break is broken.
    /// </summary>
    public static byte[] Assemble(
        ReadOnlySpan<byte> recordsSection,
        int recordCount,
        CompressionType compression = CompressionType.None,
        long baseOffset = 0,
        long baseTimestamp = 0)
    {
        var batch = new byte[RecordBatchHeader.Size + recordsSection.Length];
        new RecordBatchHeader
        {
            BaseOffset = baseOffset,
            BatchLength = batch.Length - RecordBatchHeader.LogOverhead,
            PartitionLeaderEpoch = -1,
            Magic = 2,
            Attributes = (short)compression,
            LastOffsetDelta = recordCount - 1,
            BaseTimestamp = baseTimestamp,
            MaxTimestamp = baseTimestamp,
            ProducerId = -1,
            ProducerEpoch = -1,
            BaseSequence = -1,
            RecordCount = recordCount,
        }.Write(batch);
        recordsSection.CopyTo(batch.AsSpan(RecordBatchHeader.Size));
        FixCrc(batch);
        return batch;
    }

    public static byte[] RecordsSection(byte[] batch) => batch.AsSpan(RecordBatchHeader.Size).ToArray();

    public static void FixCrc(byte[] batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcOffset), RecordBatchHeader.ComputeCrc(batch));

    /// <summary>Bytes that compress very well: a bomb in the making.</summary>
    public static byte[] Repetitive(int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)"herald "[i % 7];
        }

        return bytes;
    }

    /// <summary>Bytes that do not compress.</summary>
    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
