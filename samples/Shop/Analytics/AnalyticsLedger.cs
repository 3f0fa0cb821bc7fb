using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace Shop.Analytics;

/// <summary>One fact analytics counts. Facts are a set: recording one twice changes nothing.</summary>
public sealed record Fact(string Kind, string OrderId, decimal Amount, string Hour)
{
    public string Line => string.Create(CultureInfo.InvariantCulture, $"{Kind}\t{OrderId}\t{Amount}\t{Hour}\n");

    public static Fact? Parse(string line) => line.Split('\t') is [var kind, var order, var amount, var hour] && decimal.TryParse(amount, CultureInfo.InvariantCulture, out var value)
        ? new Fact(kind, order, value, hour)
        : null;
}

/// <summary>
/// Analytics' own durable store: an append-only file of facts, each on disk (fsync, shared by whoever waits at the
/// same moment) before the event that brought it counts as handled. After a crash (kill -9) the file is read back; a
/// torn last line was never acknowledged, so its event is delivered again and recorded then. Because facts are a set
/// keyed by kind and order, an event delivered twice is counted once.
/// </summary>
public sealed class AnalyticsLedger : IAsyncDisposable
{
    private readonly Dictionary<(string Kind, string OrderId), Fact> _facts = [];
    private readonly Lock _lock = new();
    private readonly Channel<(Fact Fact, TaskCompletionSource Durable)> _pending = Channel.CreateUnbounded<(Fact, TaskCompletionSource)>();
    private readonly FileStream _file;
    private readonly Task _writer;

    public AnalyticsLedger(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path);
            var complete = text.LastIndexOf('\n') + 1; // a torn last line was never acknowledged
            foreach (var line in text[..complete].Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (Fact.Parse(line) is { } fact)
                {
                    _facts.TryAdd((fact.Kind, fact.OrderId), fact);
                }
            }

            using var truncate = new FileStream(path, FileMode.Open, FileAccess.Write);
            truncate.SetLength(Encoding.UTF8.GetByteCount(text.AsSpan(0, complete)));
        }

        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Records <paramref name="fact"/> durably, unless it is recorded already.</summary>
    public Task RecordAsync(Fact fact)
    {
        lock (_lock)
        {
            if (!_facts.TryAdd((fact.Kind, fact.OrderId), fact))
            {
                return Task.CompletedTask;
            }
        }

        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite((fact, durable)))
        {
            throw new ObjectDisposedException(nameof(AnalyticsLedger));
        }

        return durable.Task;
    }

    public AnalyticsTotals Totals
    {
        get
        {
            lock (_lock)
            {
                var placed = _facts.Values.Where(f => f.Kind == "placed").ToList();
                var revenue = _facts.Values.Sum(f => f.Kind switch { "paid" => f.Amount, "refunded" => -f.Amount, _ => 0m });
                return new AnalyticsTotals(placed.Count, revenue, placed.GroupBy(f => f.Hour).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
        await _file.DisposeAsync();
    }

    private async Task WriteAsync()
    {
        var batch = new List<(Fact Fact, TaskCompletionSource Durable)>();
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (_pending.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                await _file.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(batch.Select(b => b.Fact.Line))));
                _file.Flush(flushToDisk: true);
                batch.ForEach(b => b.Durable.SetResult());
            }
            catch (IOException failure)
            {
                lock (_lock)
                {
                    batch.ForEach(b => _facts.Remove((b.Fact.Kind, b.Fact.OrderId))); // not stored: the redelivery records it
                }

                batch.ForEach(b => b.Durable.SetException(failure));
            }

            batch.Clear();
        }
    }
}

/// <summary>Orders counted, revenue (payments less refunds), and orders per hour.</summary>
public sealed record AnalyticsTotals(int Orders, decimal Revenue, IReadOnlyDictionary<string, int> OrdersPerHour);
