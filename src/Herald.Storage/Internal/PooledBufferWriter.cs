using System.Buffers;

namespace Herald.Storage.Internal;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over one contiguous array rented from an array pool, on the first write.
/// Contiguity is the point: a batch's CRC and header are computed over, and patched into, bytes already written.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly ArrayPool<byte> _pool;
    private readonly int _initialCapacity;
    private byte[] _buffer = [];
    private int _written;

    /// <summary>A writer whose first rent is at least <paramref name="initialCapacity"/> bytes, from <paramref name="pool"/> (by default the shared one).</summary>
    public PooledBufferWriter(int initialCapacity, ArrayPool<byte>? pool = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _initialCapacity = initialCapacity;
        _pool = pool ?? ArrayPool<byte>.Shared;
    }

    public int WrittenCount => _written;

    /// <summary>The size of the array held.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>The bytes written so far, writable so that a header can be filled in after the body.</summary>
    public Span<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public Memory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        if (count < 0 || count > _buffer.Length - _written)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>The next <paramref name="count"/> bytes, already counted as written.</summary>
    public Span<byte> Take(int count)
    {
        EnsureCapacity(count);
        var span = _buffer.AsSpan(_written, count);
        _written += count;
        return span;
    }

    public void Clear() => _written = 0;

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            _pool.Return(buffer);
        }
    }

    private void EnsureCapacity(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length - _written)
        {
            return;
        }

        long required = (long)_written + needed;
        if (required > Array.MaxLength)
        {
            throw new InvalidOperationException($"A buffer cannot grow past {Array.MaxLength} bytes; {required} were needed.");
        }

        int newSize = (int)Math.Max(required, Math.Min(Math.Max((long)_buffer.Length * 2, _initialCapacity), Array.MaxLength));
        var grown = _pool.Rent(newSize);
        _buffer.AsSpan(0, _written).CopyTo(grown);
        if (_buffer.Length > 0)
        {
            _pool.Return(_buffer);
        }

        _buffer = grown;
    }
}
