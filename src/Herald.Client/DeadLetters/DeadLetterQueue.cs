using System.Text;
using Herald.Client.Transport;

namespace Herald.Client;

/// <summary>
/// Lists, shows, redrives and purges a consumer group's dead letters. The dead-letter topic stays append-only: each
/// redrive or purge is recorded in a companion topic (<c>{dlq}.resolved</c>), and listing leaves those out.
/// A redriven event keeps its id, so a consumer that already processed it still skips it.
/// </summary>
public sealed class DeadLetterQueue
{
    private readonly Func<CancellationToken, ValueTask<IEventTransport>> _transport;

    /// <summary>A queue on <paramref name="transport"/>.</summary>
    internal DeadLetterQueue(IEventTransport transport) => _transport = _ => ValueTask.FromResult(transport);

    internal DeadLetterQueue(TransportProvider transports) => _transport = transports.GetAsync;

    /// <summary>The default dead-letter topic of a group reading <paramref name="topic"/>.</summary>
    public static string TopicFor(string topic, string group) => $"{topic}.{group}.dlq";

    /// <summary>The dead letters not yet redriven or purged, oldest first, that pass <paramref name="filter"/>.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string deadLetterTopic, DeadLetterFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var transport = await _transport(cancellationToken).ConfigureAwait(false);
        var resolved = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var resolution in transport.ReadAllAsync(ResolutionsTopic(deadLetterTopic), cancellationToken).ConfigureAwait(false))
        {
            if (resolution.Key is { } key)
            {
                resolved.Add(key);
            }
        }

        var letters = new List<DeadLetter>();
        await foreach (var record in transport.ReadAllAsync(deadLetterTopic, cancellationToken).ConfigureAwait(false))
        {
            var letter = DeadLetter.From(record);
            if (!resolved.Contains(letter.Reference) && (filter ?? DeadLetterFilter.All).Matches(letter))
            {
                letters.Add(letter);
            }
        }

        letters.Sort((a, b) => a.LastFailure != b.LastFailure ? a.LastFailure.CompareTo(b.LastFailure) : a.Reference.CompareTo(b.Reference, StringComparison.Ordinal));
        return filter?.Limit is { } limit ? letters.Take(limit).ToList() : letters;
    }

    /// <summary>One dead letter by its place in the dead-letter topic, or null when there is none (or it was resolved).</summary>
    public async Task<DeadLetter?> ShowAsync(string deadLetterTopic, int partition, long offset, CancellationToken cancellationToken = default) =>
        (await ListAsync(deadLetterTopic, null, cancellationToken).ConfigureAwait(false)).FirstOrDefault(l => l.Partition == partition && l.Offset == offset);

    /// <summary>
    /// Publishes the matching dead letters again, unchanged but for the dead-letter headers, to their original topic (or
    /// <paramref name="toTopic"/>), and marks them resolved. With <paramref name="dryRun"/> it only says what it would do.
    /// </summary>
    public async Task<DeadLetterResult> RedriveAsync(string deadLetterTopic, DeadLetterFilter? filter = null, string? toTopic = null, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var letters = await ListAsync(deadLetterTopic, filter, cancellationToken).ConfigureAwait(false);
        if (dryRun)
        {
            return new DeadLetterResult(letters, DryRun: true);
        }

        var transport = await _transport(cancellationToken).ConfigureAwait(false);
        foreach (var letter in letters)
        {
            var headers = letter.Record.Headers.Where(h => !DeadLetterHeaders.All.Contains(h.Key)).ToList();
            headers.Add(CloudEventHeaders.Header(DeadLetterHeaders.RedrivenFrom, $"{deadLetterTopic}/{letter.Reference}"));
            var target = toTopic ?? letter.OriginalTopic;
            await transport.PublishAsync(new OutgoingRecord(target, letter.Key, headers, letter.Record.Value), cancellationToken).ConfigureAwait(false);
            await ResolveAsync(transport, deadLetterTopic, letter, "redriven to " + target, cancellationToken).ConfigureAwait(false);
        }

        return new DeadLetterResult(letters, DryRun: false);
    }

    /// <summary>Marks the matching dead letters resolved without publishing them.</summary>
    public async Task<DeadLetterResult> PurgeAsync(string deadLetterTopic, DeadLetterFilter? filter = null, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var letters = await ListAsync(deadLetterTopic, filter, cancellationToken).ConfigureAwait(false);
        if (!dryRun)
        {
            var transport = await _transport(cancellationToken).ConfigureAwait(false);
            foreach (var letter in letters)
            {
                await ResolveAsync(transport, deadLetterTopic, letter, "purged", cancellationToken).ConfigureAwait(false);
            }
        }

        return new DeadLetterResult(letters, dryRun);
    }

    private static string ResolutionsTopic(string deadLetterTopic) => deadLetterTopic + ".resolved";

    private static async Task ResolveAsync(IEventTransport transport, string deadLetterTopic, DeadLetter letter, string how, CancellationToken cancellationToken)
    {
        var topic = ResolutionsTopic(deadLetterTopic);
        await transport.EnsureTopicAsync(topic, 1, cancellationToken).ConfigureAwait(false);
        await transport.PublishAsync(new OutgoingRecord(topic, letter.Reference, [], Encoding.UTF8.GetBytes(how)), cancellationToken).ConfigureAwait(false);
    }
}
