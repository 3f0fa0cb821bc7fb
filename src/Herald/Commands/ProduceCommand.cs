using System.CommandLine;
using System.Text;
using Herald.Broker;
using Herald.Cli.Access;
using Herald.Storage;

namespace Herald.Cli.Commands;

/// <summary>
/// <c>herald produce</c>: one event per line of standard input. Keyed lines go to Kafka's murmur2 partition; lines
/// without a key fill one partition's batch at a time (sticky), then move to the next.
/// </summary>
internal static class ProduceCommand
{
    private const int MaxBatchRecords = 1000;
    private const int MaxBatchBytes = 512 * 1024;

    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var topic = new Argument<string>("topic") { Description = "The topic to send to." };
        var keySeparator = new Option<string?>("--key-separator") { Description = "Split each line into key and value at the first occurrence of this text." };
        var acks = new Option<string>("--acks")
        {
            Description = "all: acknowledged once on disk (default); 1: once the OS has it; 0: not awaited.",
            DefaultValueFactory = _ => "all",
        };
        acks.AcceptOnlyFromAmong("all", "1", "0", "-1");
        var headers = new Option<string[]>("--header") { Description = "A header k=v added to every event. Repeatable." };
        var partition = CliOptions.Int("--partition", "Send every event to this partition.", min: 0);

        var command = new Command("produce", "Send one event per line of standard input to a topic.") { topic, keySeparator, acks, headers, partition };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var broker = await context.ConnectAsync(cancellationToken);
            var name = parse.GetValue(topic)!;
            var description = await broker.DescribeTopicAsync(name, cancellationToken) ?? throw new CliException($"Topic '{name}' does not exist. Create it with 'herald topics create {name}{(parse.GetValue(GlobalOptions.Server) is { } server ? $" --server {server}" : string.Empty)}'.");
            var fixedPartition = parse.GetValue(partition);
            if (fixedPartition is { } p && (p < 0 || p >= description.Partitions))
            {
                throw new CliException($"Topic '{name}' has partitions 0..{description.Partitions - 1}; there is no partition {p}.");
            }

            var sender = new BatchSender(broker, name, description.Partitions, ParseAcks(parse.GetValue(acks)!), ParseHeaders(parse.GetValue(headers)), cancellationToken)
            {
                Progress = context.ShowsProgress ? count => context.Error.Write($"\r{count} events acknowledged...") : null,
            };
            var separator = parse.GetValue(keySeparator);
            try
            {
                while (await context.Input.ReadLineAsync(cancellationToken) is { } line)
                {
                    var (key, value) = Split(line, separator);
                    var target = fixedPartition ?? (key is null ? sender.StickyPartition : Partitioner.PartitionForKey(key, description.Partitions));
                    await sender.AddAsync(target, key, value);
                }

                await sender.FlushAllAsync();
            }
            catch (Exception)
            {
                // Whatever stopped it (a refusal, a lost server, Ctrl+C), the count tells what is safely stored.
                await context.Error.WriteLineAsync($"{(context.ShowsProgress ? "\r" : string.Empty)}herald: {sender.Acknowledged} events were acknowledged before it stopped.");
                throw;
            }

            await context.Error.WriteLineAsync($"{(context.ShowsProgress ? "\r" : string.Empty)}{sender.Acknowledged} events acknowledged.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static (byte[]? Key, byte[] Value) Split(string line, string? separator)
    {
        var at = string.IsNullOrEmpty(separator) ? -1 : line.IndexOf(separator, StringComparison.Ordinal);
        return at < 0
            ? (null, Encoding.UTF8.GetBytes(line))
            : (Encoding.UTF8.GetBytes(line[..at]), Encoding.UTF8.GetBytes(line[(at + separator!.Length)..]));
    }

    private static Acks ParseAcks(string value) => value switch
    {
        "0" => Acks.None,
        "1" => Acks.Leader,
        _ => Acks.All,
    };

    private static RecordHeader[] ParseHeaders(string[]? pairs) =>
        [.. (pairs ?? []).Select(pair =>
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            return equals <= 0
                ? throw CliException.Usage($"--header '{pair}' is not key=value.")
                : new RecordHeader(pair[..equals], Encoding.UTF8.GetBytes(pair[(equals + 1)..]));
        })];

    /// <summary>One open batch per partition; a full batch is sent, in order, before the next one for that partition opens.</summary>
    private sealed class BatchSender(IBrokerAccess broker, string topic, int partitions, Acks acks, RecordHeader[] headers, CancellationToken cancellationToken)
    {
        private readonly List<OutgoingEvent>?[] _open = new List<OutgoingEvent>?[partitions];
        private readonly int[] _openBytes = new int[partitions];
        private long _lastProgress = Environment.TickCount64;

        /// <summary>Called with the acknowledged count at most twice a second, for a live progress line.</summary>
        public Action<long>? Progress { get; init; }

        public long Acknowledged { get; private set; }

        public int StickyPartition { get; private set; }

        public async Task AddAsync(int partition, byte[]? key, byte[] value)
        {
            var batch = _open[partition] ??= [];
            batch.Add(new OutgoingEvent(key, value, headers, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            _openBytes[partition] += (key?.Length ?? 0) + value.Length;
            if (batch.Count >= MaxBatchRecords || _openBytes[partition] >= MaxBatchBytes)
            {
                await SendAsync(partition);
            }
        }

        public async Task FlushAllAsync()
        {
            for (var partition = 0; partition < partitions; partition++)
            {
                await SendAsync(partition);
            }
        }

        private async Task SendAsync(int partition)
        {
            if (_open[partition] is not { Count: > 0 } batch)
            {
                return;
            }

            var error = await broker.ProduceAsync(topic, partition, batch, acks, cancellationToken);
            _open[partition] = null;
            _openBytes[partition] = 0;
            if (error != ErrorCode.None)
            {
                throw new CliException($"Sending to {topic}-{partition} failed: {error}.");
            }

            Acknowledged += batch.Count;
            if (Progress is not null && Environment.TickCount64 - _lastProgress >= 500)
            {
                _lastProgress = Environment.TickCount64;
                Progress(Acknowledged);
            }

            if (partition == StickyPartition)
            {
                StickyPartition = (StickyPartition + 1) % partitions;
            }
        }
    }
}
