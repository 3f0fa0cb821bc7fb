using System.Globalization;
using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;

namespace Herald.Kafka.Handlers;

/// <summary>DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for topics, and the broker's own settings to read.</summary>
internal sealed class ConfigHandlers(ClusterView cluster)
{
    private const sbyte TopicResource = 2;
    private const sbyte BrokerResource = 4;
    private const sbyte SetOperation = 0;
    private const sbyte DeleteOperation = 1;

    public DescribeConfigsResponse Describe(RequestContext context, DescribeConfigsRequest request) => new()
    {
        Results = [.. request.Resources.Select(resource => DescribeOne(context.ApiVersion, resource))],
    };

    public AlterConfigsResponse Alter(RequestContext context, AlterConfigsRequest request) => new()
    {
        Responses = [.. request.Resources.Select(resource =>
        {
            var result = AlterTopic(resource.ResourceType, resource.ResourceName, request.ValidateOnly, current =>
            {
                // AlterConfigs replaces the whole set: overrides it does not name go back to their defaults.
                var changes = current.Keys.Where(k => resource.Configs.All(c => c.Name != k)).Select(k => KeyValuePair.Create(k, (string?)null));
                return [.. changes, .. resource.Configs.Select(c => KeyValuePair.Create(c.Name, c.Value))];
            });
            return new AlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                ErrorCode = (short)result.Error,
                ErrorMessage = result.Message,
            };
        })],
    };

    public IncrementalAlterConfigsResponse IncrementalAlter(RequestContext context, IncrementalAlterConfigsRequest request) => new()
    {
        Responses = [.. request.Resources.Select(resource =>
        {
            var unsupported = resource.Configs.FirstOrDefault(c => c.ConfigOperation is not (SetOperation or DeleteOperation));
            var result = unsupported is not null
                ? new AdminResult(ErrorCode.InvalidConfig, $"'{unsupported.Name}': Herald's topic settings are not lists, so only SET and DELETE apply.")
                : AlterTopic(resource.ResourceType, resource.ResourceName, request.ValidateOnly, _ =>
                    [.. resource.Configs.Select(c => KeyValuePair.Create(c.Name, c.ConfigOperation == DeleteOperation ? null : c.Value))]);
            return new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                ErrorCode = (short)result.Error,
                ErrorMessage = result.Message,
            };
        })],
    };

    private AdminResult AlterTopic(sbyte resourceType, string name, bool validateOnly, Func<IReadOnlyDictionary<string, string>, List<KeyValuePair<string, string?>>> changes)
    {
        if (resourceType != TopicResource)
        {
            return new AdminResult(ErrorCode.InvalidRequest, "Herald's broker settings are read-only; only topic settings can be altered.");
        }

        return cluster.Broker.DescribeTopic(name) is { } topic
            ? cluster.Broker.AlterTopicConfig(name, changes(topic.Config.Overrides), validateOnly)
            : new AdminResult(ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
    }

    private DescribeConfigsResponse.DescribeConfigsResult DescribeOne(short version, DescribeConfigsRequest.DescribeConfigsResource resource)
    {
        var result = new DescribeConfigsResponse.DescribeConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName, ErrorMessage = null };
        IEnumerable<(string Name, string Value, sbyte Source, bool ReadOnly)> entries;
        switch (resource.ResourceType)
        {
            case TopicResource when cluster.Broker.DescribeTopic(resource.ResourceName) is { } topic:
                entries = topic.Config.Effective.Select(c => (c.Key, c.Value, ConfigSource.Of(topic.Config.OriginOf(c.Key)), false));
                break;
            case TopicResource:
                result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                result.ErrorMessage = $"Topic '{resource.ResourceName}' does not exist.";
                return result;
            case BrokerResource:
                entries = BrokerSettings().Select(c => (c.Key, c.Value, ConfigSource.StaticBroker, true));
                break;
            default:
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = $"Resource type {resource.ResourceType} is not supported; Herald describes topics (2) and brokers (4).";
                return result;
        }

        result.Configs = [.. entries
            .Where(e => resource.ConfigurationKeys is null || resource.ConfigurationKeys.Contains(e.Name))
            .Select(e => new DescribeConfigsResponse.DescribeConfigsResourceResult
            {
                Name = e.Name,
                Value = e.Value,
                ReadOnly = e.ReadOnly,
                IsDefault = e.Source == ConfigSource.Default,
                ConfigSource = version == 0 && e.Source == ConfigSource.Default ? (sbyte)-1 : e.Source,
                Documentation = null,
            })];
        return result;
    }

    private Dictionary<string, string> BrokerSettings() => new()
    {
        ["broker.id"] = cluster.NodeId.ToString(CultureInfo.InvariantCulture),
        ["auto.create.topics.enable"] = cluster.Options.AutoCreateTopics ? "true" : "false",
        ["socket.request.max.bytes"] = cluster.Options.MaxRequestBytes.ToString(CultureInfo.InvariantCulture),
        ["advertised.listeners"] = $"PLAINTEXT://{cluster.Host}:{cluster.Port}",
    };
}
