using System.Buffers;
using CsCheck;
using Herald.Storage.Internal;

namespace Herald.Storage.Tests;

public class VarintTests
{
    [Theory]
    [InlineData(0, "00")]
    [InlineData(-1, "01")]
    [InlineData(1, "02")]
    [InlineData(63, "7E")]
    [InlineData(-64, "7F")]
    [InlineData(64, "8001")]
    [InlineData(-65, "8101")]
    [InlineData(300, "D804")]
    [InlineData(int.MaxValue, "FEFFFFFF0F")]
    [InlineData(int.MinValue, "FFFFFFFF0F")]
    public void Int_encodes_to_kafkas_zigzag_varint_bytes(int value, string expectedHex)
    {
        var expected = Convert.FromHexString(expectedHex);
        var buffer = new byte[Varint.MaxInt32Length];

        int written = Varint.Write(buffer, value);

        Assert.Equal(expected, buffer[..written]);
        Assert.Equal(expected.Length, Varint.SizeOf(value));
        Assert.Equal(OperationStatus.Done, Varint.Read(expected, out int read, out int bytesRead));
        Assert.Equal(value, read);
        Assert.Equal(expected.Length, bytesRead);
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "01")]
    [InlineData(1L, "02")]
    [InlineData(64L, "8001")]
    [InlineData(1_700_000_000_000L, "80A0ABFEF962")]
    [InlineData(long.MaxValue, "FEFFFFFFFFFFFFFFFF01")]
    [InlineData(long.MinValue, "FFFFFFFFFFFFFFFFFF01")]
    public void Long_encodes_to_kafkas_zigzag_varlong_bytes(long value, string expectedHex)
    {
        var expected = Convert.FromHexString(expectedHex);
        var buffer = new byte[Varint.MaxInt64Length];

        int written = Varint.Write(buffer, value);

        Assert.Equal(expected, buffer[..written]);
        Assert.Equal(expected.Length, Varint.SizeOf(value));
        Assert.Equal(OperationStatus.Done, Varint.Read(expected, out long read, out int bytesRead));
        Assert.Equal(value, read);
        Assert.Equal(expected.Length, bytesRead);
    }

    [Fact]
    public void Read_stops_at_the_last_byte_of_the_varint()
    {
        Assert.Equal(OperationStatus.Done, Varint.Read([0x80, 0x01, 0xFF, 0xFF], out int value, out int bytesRead));
        Assert.Equal(64, value);
        Assert.Equal(2, bytesRead);
    }

    [Theory]
    [InlineData("")]
    [InlineData("80")]
    [InlineData("FFFFFF")]
    [InlineData("FFFFFFFF")]
    public void Int_read_reports_truncation(string hex)
    {
        Assert.Equal(OperationStatus.NeedMoreData, Varint.Read(Convert.FromHexString(hex), out int _, out int bytesRead));
        Assert.Equal(0, bytesRead);
    }

    [Theory]
    [InlineData("FFFFFFFF1F")]
    [InlineData("FFFFFFFF8F01")]
    [InlineData("8080808080808000")]
    public void Int_read_rejects_more_than_32_bits(string hex)
    {
        Assert.Equal(OperationStatus.InvalidData, Varint.Read(Convert.FromHexString(hex), out int _, out int _));
    }

    [Theory]
    [InlineData("FFFFFFFFFFFFFFFFFF02")]
    [InlineData("FFFFFFFFFFFFFFFFFF8101")]
    public void Long_read_rejects_more_than_64_bits(string hex)
    {
        Assert.Equal(OperationStatus.InvalidData, Varint.Read(Convert.FromHexString(hex), out long _, out int _));
    }

    [Fact]
    public void Long_read_reports_truncation()
    {
        Assert.Equal(OperationStatus.NeedMoreData, Varint.Read(Convert.FromHexString("FFFFFFFFFFFFFFFFFF"), out long _, out int _));
    }

    [Fact]
    public void Any_int_round_trips_in_exactly_its_computed_size()
    {
        Gen.Int.Sample(value =>
        {
            var buffer = new byte[Varint.MaxInt32Length];
            int written = Varint.Write(buffer, value);
            Assert.Equal(Varint.SizeOf(value), written);
            Assert.Equal(OperationStatus.Done, Varint.Read(buffer.AsSpan(0, written), out int read, out int bytesRead));
            Assert.Equal(value, read);
            Assert.Equal(written, bytesRead);
        });
    }

    [Fact]
    public void Any_long_round_trips_in_exactly_its_computed_size()
    {
        Gen.Long.Sample(value =>
        {
            var buffer = new byte[Varint.MaxInt64Length];
            int written = Varint.Write(buffer, value);
            Assert.Equal(Varint.SizeOf(value), written);
            Assert.Equal(OperationStatus.Done, Varint.Read(buffer.AsSpan(0, written), out long read, out int bytesRead));
            Assert.Equal(value, read);
            Assert.Equal(written, bytesRead);
        });
    }
}
