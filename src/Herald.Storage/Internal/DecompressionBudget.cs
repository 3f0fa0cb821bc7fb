namespace Herald.Storage.Internal;

/// <summary>
/// Bounds the memory that decompression on the broker's side (produce checks, timestamp lookups) holds at once, across
/// all partitions and connections: each walk reserves what its codec may need before it starts, and waits while the
/// budget is spent. A reservation is taken in one piece and never grown, so waiting cannot deadlock.
/// </summary>
internal sealed class DecompressionBudget
{
    /// <summary>The budget every log shares: 64 MiB.</summary>
    public static DecompressionBudget Shared { get; } = new(64L * 1024 * 1024);

    private readonly object _lock = new(); // Monitor, for Wait and PulseAll
    private readonly long _total;
    private long _available;

    public DecompressionBudget(long total)
    {
        _total = total;
        _available = total;
    }

    /// <summary>Bytes reserved right now.</summary>
    public long InUse
    {
        get
        {
            lock (_lock)
            {
                return _total - _available;
            }
        }
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/>, waiting while they are not free. A request larger than the whole budget waits
    /// for all of it, so it runs alone.
    /// </summary>
    public Reservation Reserve(long bytes)
    {
        var wanted = Math.Clamp(bytes, 0, _total);
        lock (_lock)
        {
            while (_available < wanted)
            {
                Monitor.Wait(_lock);
            }

            _available -= wanted;
        }

        return new Reservation(this, wanted);
    }

    private void Release(long bytes)
    {
        lock (_lock)
        {
            _available += bytes;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Memory reserved until disposed.</summary>
    public readonly struct Reservation(DecompressionBudget budget, long bytes) : IDisposable
    {
        public void Dispose() => budget?.Release(bytes);
    }
}
