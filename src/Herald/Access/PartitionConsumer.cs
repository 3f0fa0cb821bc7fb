using Confluent.Kafka;
using Herald.Storage;

namespace Herald.Cli.Access;

/// <summary>
/// Reads one partition of a remote server through a Confluent.Kafka consumer that is assigned the partition and never
/// joins a group, so reading moves no one's offsets. Offsets that retention removed are skipped (earliest reset).
/// </summary>
internal sealed class PartitionConsumer(RemoteServer server, string topic, int partition, ConnectionLoss loss) : IDisposable
{
    private const int MaxRecordsPerRead = 1000;
    private readonly IConsumer<byte[]?, byte[]?> _consumer = new ConsumerBuilder<byte[]?, byte[]?>(server.Configure(new ConsumerConfig
    {
        GroupId = "herald-cli-reader", // required by the client; an assigned consumer never joins it
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnablePartitionEof = true,
        CheckCrcs = true,
    })).SetLogHandler(static (_, _) => { }).SetErrorHandler((_, error) => loss.Report(error)).Build();

    private long _position = -1;

    public Task<PartitionRead> ReadAsync(long offset, TimeSpan maxWait, CancellationToken cancellationToken) =>
        Task.Run(() => Read(offset, maxWait, cancellationToken), cancellationToken);

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }

    private PartitionRead Read(long offset, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (offset != _position)
        {
            _consumer.Assign(new TopicPartitionOffset(topic, partition, offset));
        }

        var records = new List<Record>();
        var damaged = new List<Broker.DamagedRange>();
        var next = offset;
        var wait = maxWait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : maxWait; // the first fetch still has to arrive
        while (records.Count < MaxRecordsPerRead)
        {
            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                result = Consume(records.Count == 0 ? wait : TimeSpan.Zero, cancellationToken);
            }
            catch (ConsumeException failed) when (failed.Error.Code == ErrorCode.Local_BadMsg)
            {
                // librdkafka stops at a batch that fails its check: step over it a record at a time, reporting one range.
                var at = Math.Max(next, failed.ConsumerRecord?.Offset is { IsSpecial: false } known ? known.Value : next);
                if (damaged.Count > 0 && damaged[^1].NextOffset == at)
                {
                    damaged[^1] = damaged[^1] with { LastOffset = at };
                }
                else
                {
                    damaged.Add(new Broker.DamagedRange(at, at, failed.Error.Reason));
                }

                next = at + 1;
                _consumer.Assign(new TopicPartitionOffset(topic, partition, next));
                continue;
            }
            catch (ConsumeException failed)
            {
                throw new CliException($"Reading {topic}-{partition} at offset {next} failed: {failed.Error.Reason}.");
            }

            if (result is null)
            {
                break;
            }

            if (result.IsPartitionEOF)
            {
                next = Math.Max(next, result.Offset.Value);
                break;
            }

            records.Add(new Record(
                result.Offset.Value,
                result.Message.Timestamp.UnixTimestampMs,
                result.Message.Key is { } key ? (ReadOnlyMemory<byte>?)key : null,
                result.Message.Value is { } value ? (ReadOnlyMemory<byte>?)value : null,
                [.. (result.Message.Headers ?? []).Select(h => new RecordHeader(h.Key, h.GetValueBytes() is { } bytes ? (ReadOnlyMemory<byte>?)bytes : null))]));
            next = result.Offset.Value + 1;
        }

        _position = next;
        return new PartitionRead(Broker.ErrorCode.None, records, damaged, next);
    }

    private ConsumeResult<byte[]?, byte[]?>? Consume(TimeSpan wait, CancellationToken cancellationToken)
    {
        loss.ThrowIfLost();
        using var waited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, loss.Token);
        waited.CancelAfter(wait);
        try
        {
            return wait == TimeSpan.Zero ? _consumer.Consume(TimeSpan.Zero) : _consumer.Consume(waited.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            loss.ThrowIfLost();
            return null;
        }
    }
}
