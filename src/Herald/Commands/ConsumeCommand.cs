using System.CommandLine;
using System.Text;
using Herald.Broker;
using Herald.Cli.Access;
using Herald.Storage;

namespace Herald.Cli.Commands;

/// <summary>
/// <c>herald consume</c>: prints the events of a topic, one per line, in order within each partition. Without
/// <c>--follow</c> it stops at the end each partition had when it started.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var topic = new Argument<string>("topic") { Description = "The topic to read." };
        var from = new Option<string>("--from")
        {
            Description = "Where to start: earliest (default), latest, an offset, or a time (ISO 8601, e.g. 2026-11-27T10:00:00Z).",
            DefaultValueFactory = _ => "earliest",
        };
        OffsetSpec.Validate(from);
        var partition = CliOptions.Int("--partition", "Read only this partition.", min: 0);
        var max = CliOptions.Long("--max", "Stop after this many events.", min: 1);
        var follow = new Option<bool>("--follow") { Description = "Keep waiting for new events until stopped (Ctrl+C)." };
        var group = new Option<string?>("--group") { Description = "Consume as this group: start from its committed offsets and commit what was printed." };
        var format = new Option<OutputFormat>("--format")
        {
            Description = "text: the value of each event; json: one object per event with partition, offset, timestamp, key, value and headers.",
            DefaultValueFactory = _ => OutputFormat.Text,
        };

        var command = new Command("consume", "Print the events of a topic, one per line.") { topic, from, partition, max, follow, group, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var broker = await context.ConnectAsync(cancellationToken);
            var name = parse.GetValue(topic)!;
            var description = await broker.DescribeTopicAsync(name, cancellationToken) ?? throw new CliException($"Topic '{name}' does not exist.");
            int[] partitions = parse.GetValue(partition) is { } only
                ? (only >= 0 && only < description.Partitions ? [only] : throw new CliException($"Topic '{name}' has no partition {only}."))
                : [.. Enumerable.Range(0, description.Partitions)];

            var printer = new RecordPrinter(context.Output, context.Error, parse.GetValue(format), parse.GetValue(max) ?? long.MaxValue);
            var start = parse.GetValue(from)!;
            var groupId = parse.GetValue(group);
            var readers = partitions.Select(p => ReadPartitionAsync(broker, groupId, name, p, start, parse.GetValue(follow), printer, cancellationToken));
            try
            {
                await Task.WhenAll(readers);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C ends --follow; what was printed stands.
            }

            if (printer.DamagedBatches > 0)
            {
                throw new CliException($"{printer.DamagedBatches} damaged batches were skipped; their records were not printed (see above).");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<long> StartForAsync(IBrokerAccess broker, string? group, string topic, int partition, string from, CancellationToken cancellationToken)
    {
        if (group is not null && (await broker.FetchOffsetsAsync(group, [new TopicPartition(topic, partition)], cancellationToken))[0].Offset is var committed and >= 0)
        {
            return Math.Max(committed, (await broker.ListOffsetAsync(topic, partition, OffsetQuery.Earliest, cancellationToken)).Offset);
        }

        return await OffsetSpec.ResolveAsync(broker, topic, partition, from, "--from", cancellationToken);
    }

    private static async Task ReadPartitionAsync(IBrokerAccess broker, string? group, string topic, int partition, string from, bool follow, RecordPrinter printer, CancellationToken cancellationToken)
    {
        var offset = await StartForAsync(broker, group, topic, partition, from, cancellationToken);
        var end = (await broker.ListOffsetAsync(topic, partition, OffsetQuery.Latest, cancellationToken)).Offset;
        while ((follow || offset < end) && !printer.Done)
        {
            var read = await broker.ReadAsync(topic, partition, offset, follow ? TimeSpan.FromSeconds(30) : TimeSpan.Zero, cancellationToken);
            if (read.Error != ErrorCode.None)
            {
                throw new CliException($"Reading {topic}-{partition} failed: {read.Error}.");
            }

            // In offset order, so --max stops the commit right after the last event printed.
            var consumed = -1L;
            var damaged = new Queue<DamagedRange>(read.Damaged);
            foreach (var record in read.Records)
            {
                while (damaged.TryPeek(out var before) && before.BaseOffset < record.Offset && !printer.Done)
                {
                    consumed = await SkipDamagedAsync(printer, topic, partition, damaged.Dequeue(), follow, end, consumed);
                }

                if ((follow || record.Offset < end) && await printer.PrintAsync(partition, record))
                {
                    consumed = record.Offset + 1;
                }
            }

            while (damaged.TryDequeue(out var after) && !printer.Done)
            {
                consumed = await SkipDamagedAsync(printer, topic, partition, after, follow, end, consumed);
            }

            offset = printer.Done ? offset : Math.Max(offset, read.NextOffset);

            // The group's position moves only past what was printed, so --max and Ctrl+C never skip an event.
            if (group is not null && consumed >= 0)
            {
                var commit = await broker.CommitOffsetsAsync(group, [new CommittedOffset(new TopicPartition(topic, partition), consumed)], cancellationToken);
                if (!commit.Succeeded)
                {
                    throw new CliException($"Committing {topic}-{partition} for group '{group}' failed: {commit.Message}");
                }
            }
        }
    }

    private static async Task<long> SkipDamagedAsync(RecordPrinter printer, string topic, int partition, DamagedRange batch, bool follow, long end, long consumed)
    {
        await printer.ReportDamagedAsync(topic, partition, batch);
        return follow || batch.NextOffset <= end ? batch.NextOffset : consumed;
    }

    /// <summary>Prints records from several partitions without interleaving lines, up to a maximum count.</summary>
    private sealed class RecordPrinter(TextWriter output, TextWriter error, OutputFormat format, long max)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private long _printed;
        private int _damaged;

        public bool Done => Volatile.Read(ref _printed) >= max;

        public int DamagedBatches => Volatile.Read(ref _damaged);

        public async Task ReportDamagedAsync(string topic, int partition, DamagedRange batch)
        {
            Interlocked.Increment(ref _damaged);
            await _gate.WaitAsync();
            try
            {
                await error.WriteLineAsync($"herald: skipped a damaged batch in {topic}-{partition} at offsets {batch.BaseOffset}..{batch.LastOffset}: {batch.Problem}");
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <returns>Whether the record was printed; false once the maximum is reached.</returns>
        public async Task<bool> PrintAsync(int partition, Record record)
        {
            await _gate.WaitAsync();
            try
            {
                if (_printed >= max)
                {
                    return false;
                }

                _printed++;
                await output.WriteLineAsync(format == OutputFormat.Json ? ToJson(partition, record) : Text(record.Value));
                return true;
            }
            finally
            {
                _gate.Release();
            }
        }

        private static string ToJson(int partition, Record record) =>
            System.Text.Json.JsonSerializer.Serialize(
                new RecordJson(
                    partition,
                    record.Offset,
                    record.Timestamp,
                    record.Key is { } key ? Encoding.UTF8.GetString(key.Span) : null,
                    record.Value is { } value ? Encoding.UTF8.GetString(value.Span) : null,
                    record.Headers.ToDictionary(h => h.Key, h => h.Value is { } v ? Encoding.UTF8.GetString(v.Span) : null)),
                CliJson.Default.RecordJson);

        private static string Text(ReadOnlyMemory<byte>? value) => value is { } bytes ? Encoding.UTF8.GetString(bytes.Span) : string.Empty;
    }
}
