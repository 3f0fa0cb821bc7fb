using System.Buffers;
using Herald.Broker.Internal;

namespace Herald.Broker;

/// <summary>
/// The partitions of one multi-partition fetch and, once <see cref="HeraldBroker.FetchAsync(FetchBatch, int, TimeSpan, int, CancellationToken)"/>
/// has returned, a result for each. A batch can be cleared and filled again, so a server that keeps one per request
/// slot allocates nothing per fetch.
/// </summary>
internal sealed class FetchBatch
{
    private Entry[] _entries = new Entry[1];

    /// <summary>The partitions added.</summary>
    public int Count { get; private set; }

    /// <summary>The result for the partition added at <paramref name="index"/>.</summary>
    public FetchResult this[int index] => (uint)index < (uint)Count ? _entries[index].Result : throw new ArgumentOutOfRangeException(nameof(index));

    internal Span<Entry> Entries => _entries.AsSpan(0, Count);

    /// <summary>Adds a partition, whose whole batches from <paramref name="offset"/> go to <paramref name="destination"/>, up to <paramref name="maxBytes"/>.</summary>
    public void Add(string topic, int partition, long offset, int maxBytes, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(destination);
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, Count * 2);
        }

        _entries[Count++] = new Entry { Topic = topic, Partition = partition, Next = offset, MaxBytes = maxBytes, Destination = destination };
    }

    /// <summary>Removes every partition, so the batch can be filled again.</summary>
    public void Clear()
    {
        Array.Clear(_entries, 0, Count); // drops the destinations and partitions it pointed at
        Count = 0;
    }

    internal struct Entry
    {
        public string Topic;
        public int Partition;
        public long Next; // the next offset to read: advances as rounds read batches
        public int MaxBytes;
        public IBufferWriter<byte> Destination;
        public Partition? Target;
        public FetchResult Result;
    }
}
