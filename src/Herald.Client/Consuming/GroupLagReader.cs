namespace Herald.Client;

/// <summary>
/// A consumer group's committed offsets and lag on a topic, read from the broker, so it works whether or not a consumer
/// of that group runs in this process (<see cref="HeraldConsumers"/> has the figures of those that do).
/// </summary>
public sealed class GroupLagReader
{
    private readonly TransportProvider _transports;

    internal GroupLagReader(TransportProvider transports) => _transports = transports;

    /// <summary>The group's position on every partition of <paramref name="topic"/>; no partitions when the topic does not exist.</summary>
    public async Task<GroupLag> ReadAsync(string topic, string group, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrEmpty(group);
        var transport = await _transports.GetAsync(cancellationToken).ConfigureAwait(false);
        return new GroupLag(topic, group, await transport.PositionsAsync(topic, group, cancellationToken).ConfigureAwait(false));
    }
}
