using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using HdrHistogram;

namespace Herald.Cli.Bench;

/// <summary>Runs one bench: creates its topic, drives producers and consumers, measures, and deletes the topic.</summary>
internal sealed class BenchRunner(IBenchTarget target, string targetName, BenchSettings settings, TextWriter? progress)
{
    private static readonly long HighestMicros = 3_600_000_000L;
    private readonly LongConcurrentHistogram _latency = new(1, HighestMicros, 3);
    private long _acknowledged;
    private long _failed;
    private long _received;

    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        await target.CreateTopicAsync(settings.Topic, settings.Partitions, cancellationToken);
        try
        {
            return settings.Mode switch
            {
                BenchMode.Produce => await ProduceRunAsync(cancellationToken),
                BenchMode.Consume => await ConsumeRunAsync(cancellationToken),
                _ => await EndToEndRunAsync(cancellationToken),
            };
        }
        finally
        {
            await target.DeleteTopicAsync(settings.Topic, CancellationToken.None);
        }
    }

    private async Task<BenchReport> ProduceRunAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var gc = GcReport.Start();
        using (ShowProgress(() => (Volatile.Read(ref _acknowledged), "acknowledged")))
        {
            await SendAsync(settings, RecordAcknowledgement, cancellationToken);
        }

        return BenchReport.From(settings, targetName, _acknowledged, _failed, Stopwatch.GetElapsedTime(started), _latency, GcReport.Since(gc));
    }

    private async Task<BenchReport> ConsumeRunAsync(CancellationToken cancellationToken)
    {
        // Fill first, as fast as the target takes it, then time a reader that starts at the beginning.
        var count = settings.MessageCount ?? BenchSettings.DefaultMessages;
        using (ShowProgress(() => (Volatile.Read(ref _acknowledged), "written")))
        {
            await SendAsync(settings with { Messages = count, Rate = null }, CountAcknowledgement, cancellationToken);
        }

        await using var consumer = target.CreateConsumer(settings);
        var started = Stopwatch.GetTimestamp();
        var gc = GcReport.Start();
        using (ShowProgress(() => (Volatile.Read(ref _received), "consumed")))
        {
            await consumer.ConsumeAsync(settings.Topic, settings.Partitions, _acknowledged, _ => Interlocked.Increment(ref _received), new TaskCompletionSource(), cancellationToken);
        }

        return BenchReport.From(settings, targetName, _received, _failed, Stopwatch.GetElapsedTime(started), null, GcReport.Since(gc));
    }

    private async Task<BenchReport> EndToEndRunAsync(CancellationToken cancellationToken)
    {
        var count = settings.MessageCount ?? throw new CliException("e2e needs --messages, or --rate with --seconds.");
        await using var consumer = target.CreateConsumer(settings);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = consumer.ConsumeAsync(settings.Topic, settings.Partitions, count, stamp =>
        {
            Record(stamp);
            Interlocked.Increment(ref _received);
        }, ready, cancellationToken);
        await Task.WhenAny(ready.Task, reading);
        var started = Stopwatch.GetTimestamp();
        var gc = GcReport.Start();
        using (ShowProgress(() => (Volatile.Read(ref _received), "received")))
        {
            await SendAsync(settings with { Messages = count }, CountAcknowledgement, cancellationToken);
            await reading;
        }

        return BenchReport.From(settings, targetName, _received, _failed, Stopwatch.GetElapsedTime(started), _latency, GcReport.Since(gc));
    }

    /// <summary>
    /// Sends from --producers producers, each on its own thread. With --rate, every message has a scheduled time and its
    /// latency counts from then, so a stall delays the following sends' measurements instead of hiding them.
    /// </summary>
    private async Task SendAsync(BenchSettings run, Action<long, bool> acknowledged, CancellationToken cancellationToken)
    {
        var total = run.MessageCount;
        var deadline = run.Seconds is { } seconds && total is null ? Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency) : long.MaxValue;
        var interval = run.Rate is { } rate ? Stopwatch.Frequency * run.Producers / rate : 0;
        var start = Stopwatch.GetTimestamp();
        // Each producer loop owns a thread and blocks on the rare send that cannot complete at once, so pacing never
        // waits behind the thread pool that the broker and the consumer need.
        var producers = Enumerable.Range(0, run.Producers).Select(p => Task.Factory.StartNew(() =>
        {
            var producer = target.CreateProducer(run, acknowledged);
            try
            {
                var payload = new byte[Math.Max(run.Size, 8)];
                Random.Shared.NextBytes(payload);
                var share = total is { } all ? (all / run.Producers) + (p < all % run.Producers ? 1 : 0) : long.MaxValue;
                for (var i = 0L; i < share && !cancellationToken.IsCancellationRequested; i++)
                {
                    var scheduled = interval > 0 ? start + (long)((i + ((double)p / run.Producers)) * interval) : Stopwatch.GetTimestamp();
                    if (interval > 0)
                    {
                        PreciseWait.Until(scheduled);
                    }
                    else if (scheduled >= deadline)
                    {
                        break;
                    }

                    BinaryPrimitives.WriteInt64LittleEndian(payload, scheduled);
                    var send = producer.SendAsync(payload.AsMemory(0, run.Size), scheduled, cancellationToken);
                    if (!send.IsCompletedSuccessfully)
                    {
                        send.AsTask().GetAwaiter().GetResult();
                    }
                }

                producer.FlushAsync(cancellationToken).GetAwaiter().GetResult();
            }
            finally
            {
                producer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        await Task.WhenAll(producers);
    }

    private void CountAcknowledgement(long scheduled, bool succeeded) => Interlocked.Increment(ref succeeded ? ref _acknowledged : ref _failed);

    private void RecordAcknowledgement(long scheduled, bool succeeded)
    {
        if (!succeeded)
        {
            Interlocked.Increment(ref _failed);
            return;
        }

        Record(scheduled);
        Interlocked.Increment(ref _acknowledged);
    }

    private void Record(long scheduled)
    {
        var micros = (Stopwatch.GetTimestamp() - scheduled) * 1_000_000 / Stopwatch.Frequency;
        _latency.RecordValue(Math.Clamp(micros, 1, HighestMicros));
    }

    private ProgressLine? ShowProgress(Func<(long Count, string What)> current) => progress is null ? null : new ProgressLine(progress, current);

    /// <summary>A live line on stderr, redrawn every second and wiped when the phase ends.</summary>
    private sealed class ProgressLine : IDisposable
    {
        private readonly TextWriter _output;
        private readonly Timer _timer;

        public ProgressLine(TextWriter output, Func<(long Count, string What)> current)
        {
            _output = output;
            var started = Stopwatch.GetTimestamp();
            _timer = new Timer(_ =>
            {
                var (count, what) = current();
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                lock (_output)
                {
                    _output.Write(string.Create(CultureInfo.InvariantCulture, $"\r{count:N0} {what}, {count / Math.Max(seconds, 1e-9):N0} msgs/s   "));
                }
            }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }

        public void Dispose()
        {
            _timer.Dispose();
            lock (_output)
            {
                _output.Write("\r" + new string(' ', 60) + "\r");
            }
        }
    }
}
