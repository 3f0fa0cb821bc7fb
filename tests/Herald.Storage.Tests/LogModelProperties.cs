using System.Buffers;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Storage.Tests;

/// <summary>
/// Random sequences of appends, reads, rolls, retention, clean reopens and power cuts, checked step by step against
/// a plain list of records.
/// </summary>
public sealed class LogModelProperties
{
    private abstract record Operation;

    private sealed record Append(int Records, int ValueSize, int TimeStep, bool Await) : Operation;

    private sealed record Read(double Where, int MaxBytes) : Operation;

    private sealed record FindByTime(double Where) : Operation;

    private sealed record Roll : Operation;

    private sealed record Retain(int HoursPassed) : Operation;

    private sealed record AdvanceStart(double Where) : Operation;

    private sealed record Reopen : Operation;

    private sealed record PowerCut(int Seed) : Operation;

    private static readonly Gen<Operation> Operations = Gen.Frequency(
        (8, Gen.Select(Gen.Int[1, 6], Gen.Int[0, 400], Gen.Int[0, 3_000_000], Gen.Bool, (r, v, t, a) => (Operation)new Append(r, v, t, a))),
        (4, Gen.Select(Gen.Double[0, 1], Gen.Int[1, 3000], (w, m) => (Operation)new Read(w, m))),
        (2, Gen.Double[0, 1.2].Select(w => (Operation)new FindByTime(w))),
        (1, Gen.Const((Operation)new Roll())),
        (1, Gen.Int[0, 3].Select(h => (Operation)new Retain(h))),
        (1, Gen.Double[0, 1].Select(w => (Operation)new AdvanceStart(w))),
        (1, Gen.Const((Operation)new Reopen())),
        (1, Gen.Int.Select(s => (Operation)new PowerCut(s))));

    [Fact]
    public void The_log_behaves_like_a_list_of_records()
    {
        Operations.Array[1, 60].Sample(Run, iter: 150, threads: 1);
    }

    private static void Run(Operation[] operations)
    {
        var fileSystem = new MemoryFileSystem();
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(TestBatches.BaseTime));
        var options = LogOptions.Default with { SegmentBytes = 3000, IndexIntervalBytes = 200, RetentionTime = TimeSpan.FromHours(2) };
        var log = PartitionLog.Open("/model/p0", options, fileSystem, timeProvider: clock);
        var model = new List<(long Offset, long Timestamp, byte[] Value)>();
        var logStart = 0L;
        var acknowledged = 0L;
        try
        {
            for (var step = 0; step < operations.Length; step++)
            {
                var operation = operations[step];
                try
                {
                switch (operation)
                {
                    case Append append:
                        clock.Advance(TimeSpan.FromMilliseconds(append.TimeStep));
                        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
                        var batch = TestBatches.Make(append.Records, append.ValueSize, now, tag: $"o{model.Count}");
                        var expected = RecordBatchReader.ReadAll(batch.ToArray()).Single().Records;
                        var result = append.Await
                            ? log.AppendAsync(batch).AsTask().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult()
                            : log.Append(batch);
                        Assert.Equal(model.Count == 0 ? logStart : model[^1].Offset + 1, result.BaseOffset);
                        foreach (var record in expected)
                        {
                            model.Add((result.BaseOffset + record.Offset, record.Timestamp, record.Value!.Value.ToArray()));
                        }

                        if (append.Await)
                        {
                            acknowledged = result.NextOffset;
                        }

                        break;

                    case Read read:
                        CheckRead(log, model, logStart, read);
                        break;

                    case FindByTime find:
                        var first = model.Count == 0 ? TestBatches.BaseTime : model[0].Timestamp;
                        var last = model.Count == 0 ? TestBatches.BaseTime : model[^1].Timestamp;
                        var target = first + (long)((last - first) * find.Where);
                        var expectedOffset = model.Where(r => r.Offset >= logStart && r.Timestamp >= target).Select(r => (long?)r.Offset).FirstOrDefault();
                        Assert.Equal(expectedOffset, log.FindOffsetByTimestamp(target));
                        break;

                    case Roll:
                        log.Roll();
                        break;

                    case Retain retain:
                        clock.Advance(TimeSpan.FromHours(retain.HoursPassed));
                        log.ApplyRetention();
                        var cutoff = clock.GetUtcNow().ToUnixTimeMilliseconds() - (long)options.RetentionTime!.Value.TotalMilliseconds;
                        Assert.True(log.LogStartOffset >= logStart);
                        Assert.All(model.Where(r => r.Offset >= logStart && r.Offset < log.LogStartOffset), r => Assert.True(r.Timestamp < cutoff, "retention deleted a record it should keep"));
                        logStart = log.LogStartOffset;
                        break;

                    case AdvanceStart advance:
                        var to = logStart + (long)((log.LogEndOffset - logStart) * advance.Where);
                        Assert.True(log.AdvanceLogStartOffset(to));
                        logStart = Math.Max(logStart, to);
                        Assert.Equal(logStart, log.LogStartOffset);
                        break;

                    case Reopen:
                        log.Dispose();
                        log = PartitionLog.Open("/model/p0", options, fileSystem, timeProvider: clock);
                        acknowledged = log.LogEndOffset;
                        break;

                    case PowerCut cut:
                        fileSystem = fileSystem.SimulatePowerLoss(new Random(cut.Seed));
                        log = PartitionLog.Open("/model/p0", options, fileSystem, timeProvider: clock);
                        Assert.True(log.LogEndOffset >= acknowledged, $"power cut lost acknowledged records: end {log.LogEndOffset} < {acknowledged}");
                        model.RemoveAll(r => r.Offset >= log.LogEndOffset);
                        logStart = Math.Max(logStart, log.LogStartOffset);
                        Assert.Equal(logStart, log.LogStartOffset);
                        acknowledged = log.LogEndOffset;
                        break;
                }

                Assert.Equal(logStart, log.LogStartOffset);
                Assert.Equal(model.Count == 0 ? log.LogEndOffset : model[^1].Offset + 1, log.LogEndOffset);
                }
                catch (Exception exception) when (exception is not StepFailedException)
                {
                    throw new StepFailedException($"step {step} ({operation}) of [{string.Join(", ", operations.AsEnumerable())}]", exception);
                }
            }

            var all = TestBatches.ReadAll(log, log.LogStartOffset);
            var kept = model.Where(r => r.Offset >= logStart).ToList();
            Assert.Equal(kept.Select(r => r.Offset), all.Select(r => r.Offset));
            Assert.Equal(kept.Select(r => Convert.ToHexString(r.Value)), all.Select(r => Convert.ToHexString(r.Value!.Value.Span)));
        }
        finally
        {
            log.Dispose();
        }
    }

    private sealed class StepFailedException(string message, Exception inner) : Exception(message, inner);

    private static void CheckRead(PartitionLog log, List<(long Offset, long Timestamp, byte[] Value)> model, long logStart, Read read)
    {
        var end = log.LogEndOffset;
        var offset = logStart + (long)((end - logStart) * read.Where);
        var buffer = new ArrayBufferWriter<byte>();
        var result = log.Read(offset, read.MaxBytes, buffer);
        Assert.Equal(ReadStatus.Ok, result.Status);
        if (offset == end)
        {
            Assert.Equal(0, result.BytesWritten);
            return;
        }

        Assert.True(result.BytesWritten > 0);
        var batches = RecordBatchReader.ReadAll(buffer.WrittenMemory).ToList();
        Assert.InRange(offset, batches[0].Header.BaseOffset, batches[0].Header.LastOffset);
        Assert.True(batches.Count == 1 || result.BytesWritten <= read.MaxBytes);
        foreach (var record in batches.SelectMany(b => b.Records).Where(r => r.Offset >= logStart))
        {
            var expected = model.Single(m => m.Offset == record.Offset);
            Assert.Equal(expected.Timestamp, record.Timestamp);
            Assert.Equal(expected.Value, record.Value!.Value.ToArray());
        }
    }
}
