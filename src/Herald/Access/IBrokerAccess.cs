using Herald.Broker;

namespace Herald.Cli.Access;

/// <summary>
/// What the CLI asks of a broker: the same operations whether it opens the data directory itself or talks to a running
/// server through Confluent.Kafka (<c>--server</c>).
/// </summary>
internal interface IBrokerAccess : IAsyncDisposable
{
    Task<AdminResult> CreateTopicAsync(string name, int? partitions, IReadOnlyDictionary<string, string> configs, CancellationToken cancellationToken);

    Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken);

    Task<TopicDescription?> DescribeTopicAsync(string name, CancellationToken cancellationToken);

    Task<AdminResult> AlterTopicConfigAsync(string name, IReadOnlyList<KeyValuePair<string, string?>> changes, CancellationToken cancellationToken);

    Task<AdminResult> DeleteTopicAsync(string name, CancellationToken cancellationToken);

    Task<OffsetLookup> ListOffsetAsync(string topic, int partition, OffsetQuery query, CancellationToken cancellationToken);

    /// <summary>Sends <paramref name="events"/> to one partition, in order; fails with the first refusal.</summary>
    Task<ErrorCode> ProduceAsync(string topic, int partition, IReadOnlyList<OutgoingEvent> events, Acks acks, CancellationToken cancellationToken);

    /// <summary>
    /// Reads what one partition holds from <paramref name="offset"/> on, waiting up to <paramref name="maxWait"/> when
    /// nothing is there yet. Whatever the start, the read moves on past retention's gaps.
    /// </summary>
    Task<PartitionRead> ReadAsync(string topic, int partition, long offset, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>The group's committed offsets: all, or those of <paramref name="partitions"/> (-1 where none).</summary>
    Task<IReadOnlyList<CommittedOffset>> FetchOffsetsAsync(string group, IReadOnlyList<TopicPartition>? partitions, CancellationToken cancellationToken);

    /// <summary>Commits as a tool does, outside any generation: refused while the group has members.</summary>
    Task<AdminResult> CommitOffsetsAsync(string group, IReadOnlyList<CommittedOffset> offsets, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListGroupsAsync(CancellationToken cancellationToken);

    Task<GroupDescription?> DescribeGroupAsync(string group, CancellationToken cancellationToken);

    Task<AdminResult> DeleteGroupAsync(string group, CancellationToken cancellationToken);
}
