using Herald.Kafka.Protocol;

#pragma warning disable IDE0130 // extends a generated message, so it lives in that message's namespace
namespace Herald.Kafka.Messages;

/// <summary>A fetch response owns the pooled buffers its record sets live in, until it has been written.</summary>
public sealed partial class FetchResponse : IDisposable
{
    private readonly List<KafkaWriter> _buffers = [];

    /// <summary>A pooled buffer for one partition's batches, returned when the response is disposed.</summary>
    internal KafkaWriter RentBuffer()
    {
        var buffer = new KafkaWriter(4096);
        _buffers.Add(buffer);
        return buffer;
    }

    /// <summary>Returns the record buffers to the pool.</summary>
    public void Dispose()
    {
        foreach (var buffer in _buffers)
        {
            buffer.Dispose();
        }

        _buffers.Clear();
    }
}
