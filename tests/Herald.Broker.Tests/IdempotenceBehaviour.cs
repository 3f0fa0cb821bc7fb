using System.Text;
using Herald.Storage;

namespace Herald.Broker.Tests;

/// <summary>Kafka's idempotent-producer rules, per (producer id, partition).</summary>
public abstract class IdempotenceBehaviour(bool inMemory) : BrokerTestBase(inMemory)
{
    protected override void Prepare() => Broker.CreateTopic("orders", 2);

    protected static byte[] Sequenced(long producerId, short epoch, int sequence, int records = 2)
    {
        using var builder = new RecordBatchBuilder(RecordBatchOptions.Default with { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = sequence });
        for (var i = 0; i < records; i++)
        {
            builder.Add(1_700_000_000_000, null, Encoding.UTF8.GetBytes($"{producerId}/{epoch}/{sequence + i}"));
        }

        return builder.ToArray();
    }

    protected async Task<ProduceResult> ProduceAsync(byte[] batch, int partition = 0) =>
        await Broker.ProduceAsync("orders", partition, batch).AsTask().WaitAsync(Timeout);

    [Fact]
    public async Task A_retried_batch_is_answered_with_its_original_offset_and_not_stored_twice()
    {
        var (pid, epoch) = Broker.InitProducerId();
        Assert.Equal(0, (await ProduceAsync(Sequenced(pid, epoch, 0))).BaseOffset);
        Assert.Equal(2, (await ProduceAsync(Sequenced(pid, epoch, 2))).BaseOffset);

        var retry = await ProduceAsync(Sequenced(pid, epoch, 0));

        Assert.Equal((ErrorCode.None, 0L), (retry.Error, retry.BaseOffset));
        Assert.Equal(4, Broker.ListOffset("orders", 0, OffsetQuery.Latest).Offset);
    }

    [Fact]
    public async Task A_damaged_retry_is_refused_rather_than_acknowledged_as_a_duplicate()
    {
        // Regression: the sequence was checked before the CRC, so a corrupted resend was acknowledged as the original.
        var (pid, epoch) = Broker.InitProducerId();
        var batch = Sequenced(pid, epoch, 0);
        Assert.Equal(ErrorCode.None, (await ProduceAsync(batch)).Error);

        var damaged = (byte[])batch.Clone();
        damaged[^1] ^= 0x40;
        var retry = await ProduceAsync(damaged);

        Assert.Equal(ErrorCode.CorruptMessage, retry.Error);
        Assert.Equal(-1, retry.BaseOffset);
    }

    [Fact]
    public async Task A_retry_with_a_malformed_record_is_refused_with_its_problem()
    {
        var (pid, epoch) = Broker.InitProducerId();
        var batch = Sequenced(pid, epoch, 0, records: 1);
        Assert.Equal(ErrorCode.None, (await ProduceAsync(batch)).Error);

        // The record's value length, just before its value and the header count, becomes -9; the CRC is recomputed.
        var malformed = (byte[])batch.Clone();
        malformed[^(Encoding.UTF8.GetByteCount($"{pid}/{epoch}/0") + 2)] = 0x11;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(malformed.AsSpan(17), RecordBatchHeader.ComputeCrc(malformed));
        var retry = await ProduceAsync(malformed);

        Assert.Equal(ErrorCode.InvalidRecord, retry.Error);
        Assert.Contains("value length -9", retry.Message, StringComparison.Ordinal);
        Assert.Equal(1, Broker.ListOffset("orders", 0, OffsetQuery.Latest).Offset);
    }

    [Fact]
    public async Task Only_the_last_five_batches_are_remembered_as_duplicates()
    {
        var (pid, epoch) = Broker.InitProducerId();
        for (var i = 0; i < 6; i++)
        {
            await ProduceAsync(Sequenced(pid, epoch, i * 2));
        }

        Assert.Equal(2, (await ProduceAsync(Sequenced(pid, epoch, 2))).BaseOffset);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, (await ProduceAsync(Sequenced(pid, epoch, 0))).Error);
        Assert.Equal(12, Broker.ListOffset("orders", 0, OffsetQuery.Latest).Offset);
    }

    [Fact]
    public async Task A_gap_in_sequence_numbers_is_out_of_order_and_writes_nothing()
    {
        var (pid, epoch) = Broker.InitProducerId();
        await ProduceAsync(Sequenced(pid, epoch, 0));

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, (await ProduceAsync(Sequenced(pid, epoch, 5))).Error);
        Assert.Equal(2, Broker.ListOffset("orders", 0, OffsetQuery.Latest).Offset);
        Assert.Equal(2, (await ProduceAsync(Sequenced(pid, epoch, 2))).BaseOffset);
    }

    [Fact]
    public async Task An_older_epoch_is_fenced_and_a_newer_one_must_restart_at_zero()
    {
        var (pid, _) = Broker.InitProducerId();
        await ProduceAsync(Sequenced(pid, 3, 0));

        Assert.Equal(ErrorCode.InvalidProducerEpoch, (await ProduceAsync(Sequenced(pid, 2, 2))).Error);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, (await ProduceAsync(Sequenced(pid, 4, 2))).Error);
        var bumped = await ProduceAsync(Sequenced(pid, 4, 0));
        Assert.Equal((ErrorCode.None, 2L), (bumped.Error, bumped.BaseOffset));
        Assert.Equal(ErrorCode.InvalidProducerEpoch, (await ProduceAsync(Sequenced(pid, 3, 2))).Error);
    }

    [Fact]
    public async Task Sequences_wrap_from_int_max_to_zero()
    {
        var (pid, epoch) = Broker.InitProducerId();
        await ProduceAsync(Sequenced(pid, epoch, int.MaxValue - 1, records: 2));

        var wrapped = await ProduceAsync(Sequenced(pid, epoch, 0));

        Assert.Equal((ErrorCode.None, 2L), (wrapped.Error, wrapped.BaseOffset));
    }

    [Fact]
    public async Task Producers_are_tracked_per_partition()
    {
        var (pid, epoch) = Broker.InitProducerId();
        await ProduceAsync(Sequenced(pid, epoch, 0), partition: 0);

        var other = await ProduceAsync(Sequenced(pid, epoch, 0), partition: 1);

        Assert.Equal((ErrorCode.None, 0L), (other.Error, other.BaseOffset));
        Assert.Equal(2, Broker.ListOffset("orders", 1, OffsetQuery.Latest).Offset);
    }

    [Fact]
    public void Producer_ids_are_never_handed_out_twice()
    {
        var ids = Enumerable.Range(0, 2500).Select(_ => Broker.InitProducerId().ProducerId).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}

public sealed class InMemoryIdempotenceTests() : IdempotenceBehaviour(inMemory: true);

public sealed class OnDiskIdempotenceTests() : IdempotenceBehaviour(inMemory: false)
{
    [Fact]
    public async Task A_batch_retried_after_a_restart_is_still_recognised_as_a_duplicate()
    {
        var (pid, epoch) = Broker.InitProducerId();
        await ProduceAsync(Sequenced(pid, epoch, 0));
        await ProduceAsync(Sequenced(pid, epoch, 2));
        await Broker.DisposeAsync();

        Broker = await HeraldBroker.StartAsync(Options).WaitAsync(Timeout);

        Assert.Equal(2, (await ProduceAsync(Sequenced(pid, epoch, 2))).BaseOffset);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, (await ProduceAsync(Sequenced(pid, epoch, 6))).Error);
        Assert.Equal(4, (await ProduceAsync(Sequenced(pid, epoch, 4))).BaseOffset);
    }

    [Fact]
    public async Task Producer_ids_stay_unique_across_restarts()
    {
        var before = Broker.InitProducerId().ProducerId;
        await Broker.DisposeAsync();

        Broker = await HeraldBroker.StartAsync(Options).WaitAsync(Timeout);

        Assert.True(Broker.InitProducerId().ProducerId > before);
    }
}
