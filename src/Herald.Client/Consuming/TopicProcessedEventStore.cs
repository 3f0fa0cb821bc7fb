using System.Collections.Concurrent;
using System.Threading.Channels;
using Herald.Client.Transport;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Herald.Client;

/// <summary>
/// The default processed-event store: a window of ids in memory, also appended to a topic of the group's own
/// (<c>__herald-processed.{group}</c>) and read back when the group first needs it, so a duplicate that arrives after a
/// restart is still skipped. It uses whatever transport the service uses, embedded or Kafka.
/// Ids are written in the background, many to a record: the offsets, not these records, are what guarantee delivery,
/// so an id lost in a crash only means that one duplicate may be handled again, as at-least-once allows. The topic keeps
/// about the last million ids per partition (<c>retention.bytes</c> of 16 MiB), so it neither grows for ever nor takes
/// long to read back.
/// </summary>
internal sealed partial class TopicProcessedEventStore : IProcessedEventStore, IAsyncDisposable
{
    private const int IdsPerRecord = 1024;
    private static readonly TimeSpan FinalWriteTimeout = TimeSpan.FromSeconds(2);
    private static readonly Dictionary<string, string> Retention = new() { ["retention.bytes"] = (16 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), ["segment.bytes"] = (4 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) };
    private readonly TransportProvider _transports;
    private readonly TopicMap _topics;
    private readonly InMemoryProcessedEventStore _window = new();
    private readonly ConcurrentDictionary<string, Lazy<Task>> _loaded = new(StringComparer.Ordinal);
    private readonly Channel<(string Group, Guid Id)> _unwritten = Channel.CreateUnbounded<(string, Guid)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _publish;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writing;
    private int _disposed;

    public TopicProcessedEventStore(TransportProvider transports, TopicMap topics, ILogger<TopicProcessedEventStore> logger, TimeProvider time)
    {
        _transports = transports;
        _topics = topics;
        _logger = logger;
        _publish = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(exception => exception is not OperationCanceledException),
                MaxRetryAttempts = 4,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(100),
            })
            .Build();
        _writing = Task.Run(WriteAsync);
    }

    internal static string TopicFor(string group) => $"__herald-processed.{group}";

    public async ValueTask<bool> IsProcessedAsync(string group, Guid eventId, CancellationToken cancellationToken)
    {
        await LoadAsync(group, cancellationToken).ConfigureAwait(false);
        return await _window.IsProcessedAsync(group, eventId, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask MarkProcessedAsync(string group, Guid eventId, CancellationToken cancellationToken)
    {
        await LoadAsync(group, cancellationToken).ConfigureAwait(false);
        await _window.MarkProcessedAsync(group, eventId, cancellationToken).ConfigureAwait(false);
        _unwritten.Writer.TryWrite((group, eventId));
    }

    /// <summary>Writes the ids still waiting, giving up after <see cref="FinalWriteTimeout"/> (the broker may be gone), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _unwritten.Writer.TryComplete();
        _stopping.CancelAfter(FinalWriteTimeout);
        await _writing.ConfigureAwait(false);
        _stopping.Dispose();
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
        var transport = await _transports.GetAsync(CancellationToken.None).ConfigureAwait(false);
        await _topics.EnsureAsync(transport, TopicFor(group), CancellationToken.None, Retention).ConfigureAwait(false);
        await foreach (var record in transport.ReadAllAsync(TopicFor(group), CancellationToken.None).ConfigureAwait(false))
        {
            for (var ids = record.Value; ids.Length >= 16; ids = ids[16..])
            {
                await _window.MarkProcessedAsync(group, new Guid(ids.Span[..16]), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    // Everything waiting goes out at once, one record per group and up to 1,024 ids each.
    private async Task WriteAsync()
    {
        var reader = _unwritten.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var byGroup = new Dictionary<string, List<Guid>>(StringComparer.Ordinal);
            while (reader.TryRead(out var processed))
            {
                if (!byGroup.TryGetValue(processed.Group, out var ids))
                {
                    byGroup[processed.Group] = ids = [];
                }

                ids.Add(processed.Id);
            }

            foreach (var (group, ids) in byGroup)
            {
                foreach (var chunk in ids.Chunk(IdsPerRecord))
                {
                    await WriteAsync(group, chunk).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task WriteAsync(string group, Guid[] ids)
    {
        var value = new byte[ids.Length * 16];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i].TryWriteBytes(value.AsSpan(i * 16, 16));
        }

        try
        {
            await _publish.ExecuteAsync(
                async token =>
                {
                    var transport = await _transports.GetAsync(token).ConfigureAwait(false);
                    await transport.PublishAsync(new OutgoingRecord(TopicFor(group), null, [], value), token).ConfigureAwait(false);
                },
                _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The ids stay in memory; only a duplicate that arrives after a restart could be handled again.
            LogNotWritten(_logger, exception, ids.Length, TopicFor(group));
        }
    }

    [LoggerMessage(EventId = 5030, Level = LogLevel.Warning, Message = "Could not write {Count} processed event id(s) to {Topic}; after a restart those events may be handled again if redelivered")]
    private static partial void LogNotWritten(ILogger logger, Exception exception, int count, string topic);
}
