using System.Text;

namespace Herald.Broker.Tests;

public sealed class PartitionerTests
{
    // The vectors of Kafka's own UtilsTest.testMurmur2: a key lands where the Java client would put it.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    [InlineData("", 275646681)]
    public void Murmur2_matches_the_Java_client(string key, int expected) =>
        Assert.Equal(expected, Partitioner.Murmur2(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void Keys_go_to_the_positive_hash_modulo_the_partition_count()
    {
        Assert.Equal(16, Partitioner.PartitionForKey("foobar"u8, 50));
        Assert.Equal((-973932308 & 0x7FFFFFFF) % 7, Partitioner.PartitionForKey("21"u8, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.PartitionForKey("x"u8, 0));
    }
}
