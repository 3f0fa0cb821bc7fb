using System.Buffers;
using Herald.Broker;

namespace Herald.Cli.Access;

/// <summary>
/// What the CLI asks of a broker: the same operations whether it opens the data directory itself or talks to a running
/// server over the Kafka protocol (<c>--server</c>).
/// </summary>
internal interface IBrokerAccess : IAsyncDisposable
{
    Task<AdminResult> CreateTopicAsync(string name, int? partitions, IReadOnlyDictionary<string, string> configs, CancellationToken cancellationToken);

    Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken);

    Task<TopicDescription?> DescribeTopicAsync(string name, CancellationToken cancellationToken);

    Task<AdminResult> AlterTopicConfigAsync(string name, IReadOnlyList<KeyValuePair<string, string?>> changes, CancellationToken cancellationToken);

    Task<AdminResult> DeleteTopicAsync(string name, CancellationToken cancellationToken);

    /// <summary>-2 earliest, -1 latest (the high watermark), otherwise the first offset at or after a Unix-millisecond time.</summary>
    Task<OffsetLookup> ListOffsetAsync(string topic, int partition, long timestamp, CancellationToken cancellationToken);

    Task<ProduceResult> ProduceAsync(string topic, int partition, byte[] recordSet, Acks acks, CancellationToken cancellationToken);

    Task<FetchResult> FetchAsync(string topic, int partition, long offset, int maxBytes, IBufferWriter<byte> destination, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>The group's committed offsets: all, or those of <paramref name="partitions"/> (-1 where none).</summary>
    Task<IReadOnlyList<CommittedOffset>> FetchOffsetsAsync(string group, IReadOnlyList<TopicPartition>? partitions, CancellationToken cancellationToken);

    /// <summary>Commits as a tool does, outside any generation: refused while the group has members.</summary>
    Task<AdminResult> CommitOffsetsAsync(string group, IReadOnlyList<CommittedOffset> offsets, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListGroupsAsync(CancellationToken cancellationToken);

    Task<GroupDescription?> DescribeGroupAsync(string group, CancellationToken cancellationToken);

    Task<AdminResult> DeleteGroupAsync(string group, CancellationToken cancellationToken);
}
