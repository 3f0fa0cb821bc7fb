namespace Herald.Storage.Tests;

public class RecordBatchHeaderTests
{
    [Fact]
    public void Header_round_trips_every_field()
    {
        var header = new RecordBatchHeader
        {
            BaseOffset = 1234567890123,
            BatchLength = 4000,
            PartitionLeaderEpoch = 7,
            Magic = 2,
            Crc = 0xDEADBEEF,
            Attributes = 0x1B,
            LastOffsetDelta = 99,
            BaseTimestamp = 1_700_000_000_000,
            MaxTimestamp = 1_700_000_000_999,
            ProducerId = 42,
            ProducerEpoch = 3,
            BaseSequence = 17,
            RecordCount = 100,
        };
        var bytes = new byte[RecordBatchHeader.Size];
        header.Write(bytes);

        var read = RecordBatchHeader.Read(bytes);

        Assert.Equal(header, read);
        Assert.Equal(CompressionType.Lz4, read.Compression);
        Assert.True(read.IsLogAppendTime);
        Assert.True(read.IsTransactional);
        Assert.Equal(1234567890123 + 99, read.LastOffset);
    }

    [Fact]
    public void Crc32c_matches_the_standard_check_value()
    {
        var bytes = new byte[RecordBatchHeader.AttributesOffset + 9];
        "123456789"u8.CopyTo(bytes.AsSpan(RecordBatchHeader.AttributesOffset));
        Assert.Equal(0xE3069283u, RecordBatchHeader.ComputeCrc(bytes));
    }
}
