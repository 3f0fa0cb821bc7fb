using System.Buffers;

namespace Herald.Storage.Internal;

/// <summary>Reads a file front to back through one pooled window, so scanning many small batches costs few system calls.</summary>
internal sealed class SequentialReader : IDisposable
{
    public const int WindowSize = 1024 * 1024;

    private readonly ILogFile _file;
    private readonly long _end;
    private byte[] _window = ArrayPool<byte>.Shared.Rent(WindowSize);
    private long _windowStart;
    private int _windowLength;

    public SequentialReader(ILogFile file, long end)
    {
        _file = file;
        _end = end;
    }

    /// <summary>Up to <paramref name="length"/> (at most <see cref="WindowSize"/>) bytes at <paramref name="position"/>; shorter only at the end.</summary>
    public ReadOnlySpan<byte> Read(long position, int length)
    {
        length = (int)Math.Min(length, Math.Max(0, _end - position));
        if (position < _windowStart || position + length > _windowStart + _windowLength)
        {
            var toRead = (int)Math.Min(_window.Length, _end - position);
            _windowStart = position;
            _windowLength = _file.Read(position, _window.AsSpan(0, toRead));
        }

        var available = (int)Math.Min(length, _windowStart + _windowLength - position);
        return _window.AsSpan((int)(position - _windowStart), Math.Max(available, 0));
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_window);
        _window = [];
    }
}
