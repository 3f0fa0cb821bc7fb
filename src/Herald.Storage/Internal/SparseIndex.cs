using System.Buffers.Binary;

namespace Herald.Storage.Internal;

/// <summary>
/// An append-only list of (key, value) entries with non-decreasing keys, searched by binary search.
/// One writer appends while readers search without locks: a reader sees a consistent prefix.
/// Used as the offset index (relative offset → file position) and the time index (timestamp → relative offset).
/// </summary>
internal sealed class SparseIndex
{
    private Entry[] _entries;
    private int _count;

    public SparseIndex(int capacity = 16) => _entries = new Entry[Math.Max(capacity, 4)];

    public readonly record struct Entry(long Key, int Value);

    public int Count => Volatile.Read(ref _count);

    public Entry this[int index]
    {
        get
        {
            var count = Volatile.Read(ref _count);
            var entries = Volatile.Read(ref _entries);
            return (uint)index < (uint)count ? entries[index] : throw new ArgumentOutOfRangeException(nameof(index));
        }
    }

    public Entry? Last
    {
        get
        {
            var count = Volatile.Read(ref _count);
            return count == 0 ? null : Volatile.Read(ref _entries)[count - 1];
        }
    }

    public void Add(long key, int value)
    {
        var count = _count;
        if (count == _entries.Length)
        {
            var grown = new Entry[count * 2];
            Array.Copy(_entries, grown, count);
            Volatile.Write(ref _entries, grown);
        }

        _entries[count] = new Entry(key, value);
        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>The last entry whose key is at most <paramref name="key"/>, if any.</summary>
    public Entry? Floor(long key) => Search(key, strictlyBelow: false);

    /// <summary>The last entry whose key is less than <paramref name="key"/>, if any.</summary>
    public Entry? LastBelow(long key) => Search(key, strictlyBelow: true);

    public void Clear() => Volatile.Write(ref _count, 0);

    /// <summary>Drops every entry whose value is at least <paramref name="value"/> (values increase with keys).</summary>
    public void TruncateFromValue(long value)
    {
        var count = _count;
        while (count > 0 && _entries[count - 1].Value >= value)
        {
            count--;
        }

        Volatile.Write(ref _count, count);
    }

    public byte[] Serialize(int keyBytes)
    {
        var entrySize = keyBytes + sizeof(int);
        var count = _count;
        var bytes = new byte[count * entrySize];
        for (var i = 0; i < count; i++)
        {
            var slot = bytes.AsSpan(i * entrySize, entrySize);
            if (keyBytes == sizeof(int))
            {
                BinaryPrimitives.WriteInt32BigEndian(slot, checked((int)_entries[i].Key));
            }
            else
            {
                BinaryPrimitives.WriteInt64BigEndian(slot, _entries[i].Key);
            }

            BinaryPrimitives.WriteInt32BigEndian(slot[keyBytes..], _entries[i].Value);
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

        var count = bytes.Length / entrySize;
        var index = new SparseIndex(count);
        for (var i = 0; i < count; i++)
        {
            var slot = bytes.Slice(i * entrySize, entrySize);
            var key = keyBytes == sizeof(int) ? BinaryPrimitives.ReadInt32BigEndian(slot) : BinaryPrimitives.ReadInt64BigEndian(slot);
            index.Add(key, BinaryPrimitives.ReadInt32BigEndian(slot[keyBytes..]));
        }

        return index;
    }

    private Entry? Search(long key, bool strictlyBelow)
    {
        var count = Volatile.Read(ref _count);
        var entries = Volatile.Read(ref _entries);
        int low = 0, high = count - 1, found = -1;
        while (low <= high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            var midKey = entries[mid].Key;
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

        return found < 0 ? null : entries[found];
    }
}
