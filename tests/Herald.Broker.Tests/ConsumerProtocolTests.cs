namespace Herald.Broker.Tests;

public sealed class ConsumerProtocolTests
{
    [Fact]
    public void An_assignment_lists_its_topic_partitions()
    {
        // version 0; 1 topic "orders" with partitions 0 and 2; no user data
        byte[] assignment = [0, 0, 0, 0, 0, 1, 0, 6, .. "orders"u8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 255, 255, 255, 255];

        Assert.Equal([new TopicPartition("orders", 0), new TopicPartition("orders", 2)], ConsumerProtocol.ReadAssignment(assignment));
        Assert.Empty(ConsumerProtocol.ReadAssignment([])!);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 1, 0, 9, 1 })]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 1, 0, 1, 65, 127, 255, 255, 255 })]
    [InlineData(new byte[] { 0, 0, 255, 255, 255, 255 })]
    public void Bytes_that_are_not_an_assignment_read_as_null(byte[] bytes) => Assert.Null(ConsumerProtocol.ReadAssignment(bytes));
}
