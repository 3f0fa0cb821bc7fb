using System.Collections.Concurrent;
using Herald.Client.Transport;

namespace Herald.Client;

/// <summary>
/// The default processed-event store: a window of ids in memory, each also appended durably to a topic of the group's
/// own (<c>__herald-processed.{group}</c>) and read back when the group first needs it, so a duplicate that arrives
/// after a restart is still skipped. It uses whatever transport the service uses, embedded or Kafka. The topic keeps
/// about the last million ids per partition (<c>retention.bytes</c> of 16 MiB), so it neither grows for ever nor takes
/// long to read back.
/// </summary>
internal sealed class TopicProcessedEventStore(TransportProvider transports, TopicMap topics) : IProcessedEventStore
{
    private static readonly Dictionary<string, string> Retention = new() { ["retention.bytes"] = (16 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), ["segment.bytes"] = (4 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) };
    private readonly InMemoryProcessedEventStore _window = new();
    private readonly ConcurrentDictionary<string, Lazy<Task>> _loaded = new(StringComparer.Ordinal);

    internal static string TopicFor(string group) => $"__herald-processed.{group}";

    public async ValueTask<bool> IsProcessedAsync(string group, Guid eventId, CancellationToken cancellationToken)
    {
        await LoadAsync(group, cancellationToken).ConfigureAwait(false);
        return await _window.IsProcessedAsync(group, eventId, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask MarkProcessedAsync(string group, Guid eventId, CancellationToken cancellationToken)
    {
        await LoadAsync(group, cancellationToken).ConfigureAwait(false);
        var transport = await transports.GetAsync(cancellationToken).ConfigureAwait(false);
        await transport.PublishAsync(new OutgoingRecord(TopicFor(group), null, [], eventId.ToByteArray()), cancellationToken).ConfigureAwait(false);
        await _window.MarkProcessedAsync(group, eventId, cancellationToken).ConfigureAwait(false);
    }

    private Task LoadAsync(string group, CancellationToken cancellationToken)
    {
        var loading = _loaded.GetOrAdd(group, g => new Lazy<Task>(() => ReadAsync(g)));
        if (loading.Value.IsFaulted)
        {
            _loaded.TryRemove(new KeyValuePair<string, Lazy<Task>>(group, loading)); // try again next time
        }

        return loading.Value.WaitAsync(cancellationToken);
    }

    private async Task ReadAsync(string group)
    {
        var transport = await transports.GetAsync(CancellationToken.None).ConfigureAwait(false);
        await topics.EnsureAsync(transport, TopicFor(group), CancellationToken.None, Retention).ConfigureAwait(false);
        await foreach (var record in transport.ReadAllAsync(TopicFor(group), CancellationToken.None).ConfigureAwait(false))
        {
            if (record.Value.Length == 16)
            {
                await _window.MarkProcessedAsync(group, new Guid(record.Value.Span), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
