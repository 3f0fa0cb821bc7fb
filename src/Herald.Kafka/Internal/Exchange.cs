using Herald.Kafka.Protocol;
using Microsoft.Extensions.ObjectPool;

namespace Herald.Kafka.Internal;

/// <summary>
/// A request, its response and the handler's working state, kept for reuse: a hot API's handler rents one when a
/// request arrives, reads the request into it and fills in the response; the connection disposes it once the response
/// is written, which puts it back. Reusing the objects and their lists is what lets Produce and Fetch allocate nothing.
/// </summary>
internal abstract class Exchange<TSelf> : IKafkaMessage, IDisposable
    where TSelf : Exchange<TSelf>, new()
{
    private const int Retained = 64; // more than are usually in flight across all connections; the rest are collected
    private static readonly ObjectPool<TSelf> Pool = new DefaultObjectPool<TSelf>(new Policy(), Retained);
    private int _rented;

    /// <summary>An exchange whose request and response still hold whatever the last use left; both are overwritten.</summary>
    private static TSelf Rent()
    {
        var exchange = Pool.Get();
        exchange._rented = 1;
        return exchange;
    }

    /// <summary>An exchange with <paramref name="body"/> read into its request; on a malformed body it goes back at once.</summary>
    public static TSelf Read(Memory<byte> body, Utf8StringCache strings, short version)
    {
        var exchange = Rent();
        try
        {
            var reader = new KafkaReader(body, strings);
            exchange.ReadRequest(ref reader, version);
            return exchange;
        }
        catch
        {
            exchange.Dispose();
            throw;
        }
    }

    /// <summary>Writes the response.</summary>
    public abstract void Write(KafkaWriter writer, short version);

    /// <summary>Reads the request body into the reused request.</summary>
    protected abstract void ReadRequest(ref KafkaReader reader, short version);

    /// <summary>Releases what must not be held while pooled and puts the exchange back; a second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, 0) == 1)
        {
            Release();
            Pool.Return((TSelf)this);
        }
    }

    /// <summary>Gives back pooled buffers and drops references the next request should not see.</summary>
    protected abstract void Release();

    /// <summary>Whether this exchange is small enough to keep; one shaped by a huge request is left to the collector.</summary>
    protected abstract bool WorthKeeping { get; }

    private sealed class Policy : PooledObjectPolicy<TSelf>
    {
        public override TSelf Create() => new();

        public override bool Return(TSelf exchange) => exchange.WorthKeeping;
    }
}
