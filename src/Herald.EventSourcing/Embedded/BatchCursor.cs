using System.Buffers;
using Herald.Storage;

namespace Herald.EventSourcing.Embedded;

/// <summary>Reads events by position, keeping the last batch read: the events of one append share a batch.</summary>
internal sealed class BatchCursor(PartitionLog log, string directory)
{
    private IReadOnlyList<Record> _records = [];

    public RecordedEvent Read(long position) => StoredEventCodec.Read(ReadRecord(position));

    public Record ReadRecord(long position)
    {
        if (_records.Count == 0 || position < _records[0].Offset || position > _records[^1].Offset)
        {
            // A buffer of its own per batch: the events handed out point into it, and callers may keep them.
            var buffer = new ArrayBufferWriter<byte>();
            log.Read(position, 1, buffer);
            _records = [.. RecordBatchReader.ReadAll(buffer.WrittenMemory).SelectMany(b => b.Records)];
        }

        foreach (var record in _records)
        {
            if (record.Offset == position)
            {
                return record;
            }
        }

        throw new CorruptLogException(directory, position, "the index points at an offset the log does not hold");
    }
}
