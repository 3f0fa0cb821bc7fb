namespace Herald.Client;

/// <summary>The last <see cref="Window"/> event ids per group, in memory: covers redeliveries after rebalances and retries within a run.</summary>
public sealed class InMemoryProcessedEventStore : IProcessedEventStore
{
    private readonly Dictionary<string, (HashSet<Guid> Ids, Queue<Guid> Order)> _groups = [];
    private readonly Lock _gate = new();

    /// <summary>How many ids are kept per group.</summary>
    public int Window { get; init; } = 100_000;

    /// <inheritdoc />
    public ValueTask<bool> IsProcessedAsync(string group, Guid eventId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_groups.TryGetValue(group, out var seen) && seen.Ids.Contains(eventId));
        }
    }

    /// <inheritdoc />
    public ValueTask MarkProcessedAsync(string group, Guid eventId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(group, out var seen))
            {
                _groups[group] = seen = ([], new Queue<Guid>());
            }

            if (seen.Ids.Add(eventId))
            {
                seen.Order.Enqueue(eventId);
                if (seen.Order.Count > Window)
                {
                    seen.Ids.Remove(seen.Order.Dequeue());
                }
            }
        }

        return ValueTask.CompletedTask;
    }
}
