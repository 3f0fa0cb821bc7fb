using System.Buffers;
using System.Buffers.Binary;

namespace Herald.Storage.Internal;

/// <summary>
/// An append-only list of (key, value) entries with non-decreasing keys, searched by binary search.
/// One writer appends while readers search without locks: a reader sees a consistent prefix.
/// Entries live in fixed-size chunks rented from a pool and returned by <see cref="Dispose"/>, so a log that deletes
/// old segments as it creates new ones reuses index memory instead of allocating it.
/// Used as the offset index (relative offset → file position) and the time index (timestamp → relative offset).
/// </summary>
internal sealed class SparseIndex : IDisposable
{
    private const int ChunkShift = 9;
    private const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;

    private Entry[]?[] _chunks = new Entry[]?[4];
    private int _count;

    public readonly record struct Entry(long Key, int Value);

    public int Count => Volatile.Read(ref _count);

    public Entry this[int index]
    {
        get
        {
            var count = Volatile.Read(ref _count);
            if ((uint)index >= (uint)count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            return Volatile.Read(ref _chunks)[index >> ChunkShift]![index & ChunkMask];
        }
    }

    public Entry? Last
    {
        get
        {
            var count = Volatile.Read(ref _count);
            return count == 0 ? null : this[count - 1];
        }
    }

    public void Add(long key, int value)
    {
        var count = _count;
        var chunk = count >> ChunkShift;
        if (chunk == _chunks.Length)
        {
            var grown = new Entry[]?[_chunks.Length * 2];
            Array.Copy(_chunks, grown, _chunks.Length);
            Volatile.Write(ref _chunks, grown);
        }

        var entries = _chunks[chunk] ??= ArrayPool<Entry>.Shared.Rent(ChunkSize);
        entries[count & ChunkMask] = new Entry(key, value);
        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>The last entry whose key is at most <paramref name="key"/>, if any.</summary>
    public Entry? Floor(long key) => Search(key, strictlyBelow: false);

    /// <summary>The last entry whose key is less than <paramref name="key"/>, if any.</summary>
    public Entry? LastBelow(long key) => Search(key, strictlyBelow: true);

    /// <summary>
    /// Writes the entries into a buffer rented from the shared array pool (index files can be megabytes; renting keeps a
    /// segment roll from allocating them). The caller returns it; <paramref name="length"/> bytes are meaningful.
    /// </summary>
    public byte[] SerializeRented(int keyBytes, out int length)
    {
        var entrySize = keyBytes + sizeof(int);
        var count = _count;
        length = count * entrySize;
        var bytes = ArrayPool<byte>.Shared.Rent(length);
        for (var i = 0; i < count; i++)
        {
            var entry = this[i];
            var slot = bytes.AsSpan(i * entrySize, entrySize);
            if (keyBytes == sizeof(int))
            {
                BinaryPrimitives.WriteInt32BigEndian(slot, checked((int)entry.Key));
            }
            else
            {
                BinaryPrimitives.WriteInt64BigEndian(slot, entry.Key);
            }

            BinaryPrimitives.WriteInt32BigEndian(slot[keyBytes..], entry.Value);
        }

        return bytes;
    }

    /// <summary>Parses a serialized index, or returns null when its length is not a whole number of entries.</summary>
    public static SparseIndex? Deserialize(ReadOnlySpan<byte> bytes, int keyBytes)
    {
        var entrySize = keyBytes + sizeof(int);
        if (bytes.Length % entrySize != 0)
        {
            return null;
        }

        var index = new SparseIndex();
        for (var i = 0; i < bytes.Length / entrySize; i++)
        {
            var slot = bytes.Slice(i * entrySize, entrySize);
            var key = keyBytes == sizeof(int) ? BinaryPrimitives.ReadInt32BigEndian(slot) : BinaryPrimitives.ReadInt64BigEndian(slot);
            index.Add(key, BinaryPrimitives.ReadInt32BigEndian(slot[keyBytes..]));
        }

        return index;
    }

    /// <summary>Returns the chunks to the pool. Only once no reader can search the index any more.</summary>
    public void Dispose()
    {
        var chunks = _chunks;
        _count = 0;
        for (var i = 0; i < chunks.Length; i++)
        {
            if (chunks[i] is { } chunk)
            {
                ArrayPool<Entry>.Shared.Return(chunk);
                chunks[i] = null;
            }
        }
    }

    private Entry? Search(long key, bool strictlyBelow)
    {
        var count = Volatile.Read(ref _count);
        var chunks = Volatile.Read(ref _chunks);
        int low = 0, high = count - 1, found = -1;
        while (low <= high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            var midKey = chunks[mid >> ChunkShift]![mid & ChunkMask].Key;
            if (strictlyBelow ? midKey < key : midKey <= key)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found < 0 ? null : chunks[found >> ChunkShift]![found & ChunkMask];
    }
}
