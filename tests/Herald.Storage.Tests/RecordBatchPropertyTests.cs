using CsCheck;
using Herald.Storage.Tests.Support;

namespace Herald.Storage.Tests;

public class RecordBatchPropertyTests
{
    private static readonly Gen<byte[]?> NullableBytes = Gen.Frequency(
        (1, Gen.Const<byte[]?>((byte[]?)null)),
        (1, Gen.Const<byte[]?>([])),
        (6, Gen.Byte.Array[1, 64].Select(bytes => (byte[]?)bytes)));

    private static readonly Gen<TestHeader> Header =
        Gen.Select(Gen.String[Gen.Char["abcxyz-_.é鍵"], 0, 8], NullableBytes, (key, value) => new TestHeader(key, value));

    private static readonly Gen<TestRecord> Record =
        Gen.Select(Gen.Long, NullableBytes, NullableBytes, Header.Array[0, 4], (timestamp, key, value, headers) => new TestRecord(timestamp, key, value, headers));

    private static readonly Gen<RecordBatchOptions> Options = Gen.Select(
        Gen.Enum<CompressionType>(),
        Gen.Long[0, long.MaxValue / 2],
        Gen.Int,
        Gen.Long,
        Gen.Short,
        Gen.Int,
        Gen.Bool,
        Gen.Nullable(Gen.Long, 0.8),
        (codec, baseOffset, leaderEpoch, producerId, producerEpoch, baseSequence, transactional, logAppendTime) => new RecordBatchOptions
        {
            Compression = codec,
            BaseOffset = baseOffset,
            PartitionLeaderEpoch = leaderEpoch,
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            BaseSequence = baseSequence,
            IsTransactional = transactional,
            LogAppendTime = logAppendTime,
        });

    [Fact]
    public void Any_records_with_any_options_read_back_exactly_as_built()
    {
        Gen.Select(Options, Record.Array[1, 30]).Sample((options, records) =>
        {
            var batch = Batches.Build(options, records);

            Assert.Equal(BatchError.None, BatchValidator.ValidateRecordSet(batch, int.MaxValue));
            var read = Assert.Single(RecordBatchReader.ReadAll(batch));
            var header = read.Header;
            Assert.Equal(options.BaseOffset, header.BaseOffset);
            Assert.Equal(options.Compression, header.Compression);
            Assert.Equal(options.PartitionLeaderEpoch, header.PartitionLeaderEpoch);
            Assert.Equal(options.ProducerId, header.ProducerId);
            Assert.Equal(options.ProducerEpoch, header.ProducerEpoch);
            Assert.Equal(options.BaseSequence, header.BaseSequence);
            Assert.Equal(options.IsTransactional, header.IsTransactional);
            Assert.Equal(options.LogAppendTime.HasValue, header.IsLogAppendTime);
            Assert.Equal(records.Length, header.RecordCount);
            Assert.Equal(records[0].Timestamp, header.BaseTimestamp);
            Assert.Equal(options.LogAppendTime ?? MaxTimestamp(records), header.MaxTimestamp);
            Assert.Equal(records.Length, read.Records.Count);
            for (int i = 0; i < records.Length; i++)
            {
                RecordAssert.Matches(records[i], options.BaseOffset + i, options.LogAppendTime ?? records[i].Timestamp, read.Records[i]);
            }
        }, iter: 500);
    }

    [Fact]
    public void Any_sequence_of_batches_reads_back_in_order()
    {
        Gen.Select(Options, Record.Array[1, 5]).Array[1, 6].Sample(batches =>
        {
            var all = new List<byte>();
            foreach (var (options, records) in batches)
            {
                all.AddRange(Batches.Build(options, records));
            }

            var read = RecordBatchReader.ReadAll(all.ToArray());

            Assert.Equal(batches.Length, read.Count);
            for (int b = 0; b < batches.Length; b++)
            {
                var (options, records) = batches[b];
                for (int i = 0; i < records.Length; i++)
                {
                    RecordAssert.Matches(records[i], options.BaseOffset + i, options.LogAppendTime ?? records[i].Timestamp, read[b].Records[i]);
                }
            }
        }, iter: 100);
    }

    private static long MaxTimestamp(TestRecord[] records)
    {
        long max = long.MinValue;
        foreach (var record in records)
        {
            max = Math.Max(max, record.Timestamp);
        }

        return max;
    }
}
