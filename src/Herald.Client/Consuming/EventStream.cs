using System.Runtime.CompilerServices;
using Herald.Client.Transport;

namespace Herald.Client;

/// <summary>
/// Pull-style consuming, for code that wants a loop rather than a hosted handler: <c>await foreach</c> over a topic as
/// a consumer group. An event counts as processed once the loop asks for the next one (or once it is acknowledged),
/// and processed offsets are committed as it goes and when the loop ends; leaving the loop early therefore redelivers
/// only the event in hand, unless it was acknowledged. Records that are not readable events go to the dead-letter topic.
/// </summary>
public sealed class EventStream
{
    private static readonly TimeSpan CommitInterval = TimeSpan.FromSeconds(1);
    private readonly TransportProvider _transports;
    private readonly EventTypeRegistry _types;
    private readonly EventSerializer _serializer;
    private readonly TopicMap _topics;

    internal EventStream(TransportProvider transports, EventTypeRegistry types, EventSerializer serializer, TopicMap topics)
    {
        _transports = transports;
        _types = types;
        _serializer = serializer;
        _topics = topics;
    }

    /// <summary>The events of type <typeparamref name="TEvent"/> on <paramref name="topic"/>, as <paramref name="group"/>; other types are skipped.</summary>
    public async IAsyncEnumerable<ReceivedEvent<TEvent>> ReadAsync<TEvent>(string topic, string group, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var transport = await _transports.GetAsync(cancellationToken).ConfigureAwait(false);
        await _topics.EnsureAsync(transport, topic, cancellationToken).ConfigureAwait(false);
        var type = _types.Get(typeof(TEvent));
        var done = new Dictionary<int, long>();
        var committed = new Dictionary<int, long>();
        var lastCommit = DateTimeOffset.UtcNow;
        var consumer = transport.Subscribe(topic, group);
        ReceivedEvent<TEvent>? current = null;
        try
        {
            while (true)
            {
                var records = await consumer.PollAsync(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
                foreach (var record in records)
                {
                    if (!consumer.Assignment.Contains(record.Partition))
                    {
                        continue;
                    }

                    var (received, problem) = Read<TEvent>(record, type, group);
                    if (received is not null)
                    {
                        current = received;
                        yield return received;
                        current = null;
                    }
                    else if (problem is not null)
                    {
                        var letter = DeadLetterHeaders.For(record, DeadLetterQueue.TopicFor(topic, group), group, problem, 0, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
                        await _topics.EnsureAsync(transport, letter.Topic, cancellationToken).ConfigureAwait(false);
                        await transport.PublishAsync(letter, cancellationToken).ConfigureAwait(false);
                    }

                    done[record.Partition] = record.Offset + 1;
                }

                if (DateTimeOffset.UtcNow - lastCommit >= CommitInterval)
                {
                    await CommitAsync(consumer, done, committed, cancellationToken).ConfigureAwait(false);
                    lastCommit = DateTimeOffset.UtcNow;
                }
            }
        }
        finally
        {
            if (current is { Acknowledged: true })
            {
                done[current.Context.Partition] = current.Context.Offset + 1;
            }

            await CommitAsync(consumer, done, committed, CancellationToken.None).ConfigureAwait(false);
            await consumer.DisposeAsync().ConfigureAwait(false);
        }
    }

    // The event, or null with the reason it is unreadable, or null and null for another type (skipped).
    private (ReceivedEvent<TEvent>? Event, InvalidEventException? Problem) Read<TEvent>(IncomingRecord record, EventTypeInfo type, string group)
    {
        try
        {
            var metadata = CloudEventHeaders.Read(record.Headers, record.Key);
            return metadata.Type.Name == type.Name.Name
                ? (new ReceivedEvent<TEvent>((TEvent)_serializer.Deserialize(record.Value, metadata.Type, type), new EventContext(metadata, record.Topic, record.Partition, record.Offset, group, 1)), null)
                : (null, null);
        }
        catch (InvalidEventException exception)
        {
            return (null, exception);
        }
    }

    private static async Task CommitAsync(ITransportConsumer consumer, Dictionary<int, long> done, Dictionary<int, long> committed, CancellationToken cancellationToken)
    {
        var changed = done.Where(d => !committed.TryGetValue(d.Key, out var c) || c != d.Value).ToDictionary();
        if (changed.Count == 0)
        {
            return;
        }

        try
        {
            await consumer.CommitAsync(changed, cancellationToken).ConfigureAwait(false);
            foreach (var (partition, offset) in changed)
            {
                committed[partition] = offset;
            }
        }
        catch (Transport.CommitFailedException)
        {
            // A rebalance: the events will be delivered again to the partition's next owner.
        }
    }
}
