using Herald.Client.Transport;

namespace Herald.Client;

/// <summary>
/// The keys with unresolved dead letters: their later events are parked behind them (dead-lettered too), so a key's
/// events are never handled out of order. A redriven event goes through: it is one of the held events coming back.
/// </summary>
internal sealed class HeldKeys(ConsumerOptions options, IEventTransport transport)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _addedSinceRefresh = new(StringComparer.Ordinal);
    private HashSet<string> _keys = new(StringComparer.Ordinal);

    /// <summary>Reads the keys of the dead-letter topic again, keeping those added while it was being read.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (!options.HoldKeysBehindDeadLetters)
        {
            return;
        }

        lock (_gate)
        {
            _addedSinceRefresh.Clear();
        }

        var letters = await new DeadLetterQueue(transport).ListAsync(options.DeadLetterTopicName, null, cancellationToken).ConfigureAwait(false);
        var held = letters.Where(l => l.Key is not null).Select(l => l.Key!).ToHashSet(StringComparer.Ordinal);
        lock (_gate)
        {
            held.UnionWith(_addedSinceRefresh);
            _keys = held;
        }
    }

    public bool Holds(IncomingRecord record)
    {
        if (!options.HoldKeysBehindDeadLetters || record.Key is null || CloudEventHeaders.Find(record.Headers, DeadLetterHeaders.RedrivenFrom) is not null)
        {
            return false;
        }

        lock (_gate)
        {
            return _keys.Contains(record.Key);
        }
    }

    public void Add(string? key)
    {
        if (!options.HoldKeysBehindDeadLetters || key is null)
        {
            return;
        }

        lock (_gate)
        {
            _keys.Add(key);
            _addedSinceRefresh.Add(key);
        }
    }
}
