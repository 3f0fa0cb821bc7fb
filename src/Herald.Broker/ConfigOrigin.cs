namespace Herald.Broker;

/// <summary>Where the value in force of a topic setting comes from, as Kafka's DescribeConfigs reports it.</summary>
public enum ConfigOrigin
{
    /// <summary>Kafka's built-in default.</summary>
    Default,

    /// <summary>The broker's own setting (<see cref="BrokerOptions.Log"/>), which differs from the built-in default.</summary>
    Broker,

    /// <summary>An override set on the topic.</summary>
    Topic,
}
