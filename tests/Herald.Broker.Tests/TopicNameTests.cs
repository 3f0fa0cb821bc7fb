namespace Herald.Broker.Tests;

public sealed class TopicNameTests
{
    [Theory]
    [InlineData("orders")]
    [InlineData("Orders.v1_placed-2")]
    [InlineData("__consumer_offsets")]
    public void Kafka_legal_names_are_accepted(string name) => Assert.Null(TopicName.Validate(name));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("orders/2024")]
    [InlineData("commandes é")]
    [InlineData("has space")]
    public void Illegal_names_are_refused_with_a_reason(string name) => Assert.NotNull(TopicName.Validate(name));

    [Fact]
    public void Names_longer_than_249_characters_are_refused()
    {
        Assert.Null(TopicName.Validate(new string('a', 249)));
        Assert.Contains("249", TopicName.Validate(new string('a', 250)), StringComparison.Ordinal);
    }

    [Fact]
    public void Dots_and_underscores_collide()
    {
        Assert.True(TopicName.Collide("orders.placed", "orders_placed"));
        Assert.False(TopicName.Collide("orders.placed", "orders.placed"));
        Assert.False(TopicName.Collide("orders", "payments"));
    }
}
