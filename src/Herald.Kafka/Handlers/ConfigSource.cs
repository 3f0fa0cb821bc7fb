using Herald.Broker;

namespace Herald.Kafka.Handlers;

/// <summary>Kafka's config source numbers, as DescribeConfigs and CreateTopics report them.</summary>
internal static class ConfigSource
{
    public const sbyte Topic = 1;
    public const sbyte StaticBroker = 4;
    public const sbyte Default = 5;

    public static sbyte Of(ConfigOrigin origin) => origin switch
    {
        ConfigOrigin.Topic => Topic,
        ConfigOrigin.Broker => StaticBroker,
        _ => Default,
    };
}
