using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Herald.EventSourcing;

/// <summary>
/// Handles commands for one kind of aggregate: loads its state from its stream, decides, and appends what was decided
/// with the version it loaded as the expected one. When another writer appended first, the command is decided again
/// on the new state, up to <see cref="CommandHandlerOptions.MaxConflictRetries"/> times.
/// </summary>
public sealed class CommandHandler<TState, TCommand>
{
    private readonly IEventStore _store;
    private readonly EventCodec _codec;
    private readonly Decider<TState, TCommand> _decider;
    private readonly CommandHandlerOptions _options;
    private readonly ResiliencePipeline _conflicts;
    private readonly ILogger _logger;

    internal CommandHandler(IEventStore store, EventCodec codec, Decider<TState, TCommand> decider, CommandHandlerOptions options, ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _store = store;
        _codec = codec;
        _decider = decider;
        _options = options;
        _conflicts = options.MaxConflictRetries == 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder()
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<WrongExpectedVersionException>(),
                    MaxRetryAttempts = options.MaxConflictRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(5),
                })
                .Build();
    }

    /// <summary>Decides <paramref name="command"/> on the current state of <paramref name="streamId"/> and appends the outcome.</summary>
    /// <exception cref="WrongExpectedVersionException">Other writers kept appending first, more often than the retries allow.</exception>
    public Task<CommandResult<TState>> HandleAsync(string streamId, TCommand command, CancellationToken cancellationToken = default) =>
        HandleAsync(streamId, command, correlationId: null, cancellationToken);

    /// <summary>
    /// Decides <paramref name="command"/> and appends the outcome with <paramref name="correlationId"/> on its events
    /// (an HTTP request's order id, say), so everything that follows from them can be found by it. Inside an event
    /// handler, the handled event's correlation id is used instead.
    /// </summary>
    /// <exception cref="WrongExpectedVersionException">Other writers kept appending first, more often than the retries allow.</exception>
    public Task<CommandResult<TState>> HandleAsync(string streamId, TCommand command, string? correlationId, CancellationToken cancellationToken = default) =>
        _conflicts.ExecuteAsync(
            async token =>
            {
                var (state, version) = await LoadAsync(streamId, token).ConfigureAwait(false);
                var decided = _decider.Decide(command, state).ToList();
                if (decided.Count == 0)
                {
                    return new CommandResult<TState>(state, version, []);
                }

                // The events carry this span's context, so projections and relays that handle them link back to it.
                using var activity = EventStoreTelemetry.Source.StartActivity($"append {streamId}", System.Diagnostics.ActivityKind.Producer);
                activity?.SetTag("herald.eventstore.stream", streamId);
                activity?.SetTag("herald.eventstore.events", decided.Count);
                var result = await _store.AppendAsync(streamId, version is { } v ? ExpectedVersion.Exactly(v) : ExpectedVersion.NoStream, [.. decided.Select(e => _codec.Encode(e, correlationId))], token).ConfigureAwait(false);
                var next = decided.Aggregate(state, _decider.Evolve);
                await SnapshotIfDueAsync(streamId, next, version, result.NextExpectedVersion, token).ConfigureAwait(false);
                return new CommandResult<TState>(next, result.NextExpectedVersion, decided) { Position = result.Position };
            },
            cancellationToken).AsTask();

    /// <summary>The state of <paramref name="streamId"/> now, and the version it was read at (null when it has no events).</summary>
    public async Task<(TState State, long? Version)> LoadAsync(string streamId, CancellationToken cancellationToken = default)
    {
        var state = _decider.Initial;
        long? version = null;
        IReadOnlyList<RecordedEvent> first = [];
        var mayHaveMore = true;
        if (_options.SnapshotEvery > 0)
        {
            var (snapshot, events, more) = _store is ISnapshotLoader loader
                ? await loader.LoadAsync(streamId, cancellationToken).ConfigureAwait(false)
                : new SnapshotLoad(await _store.LoadSnapshotAsync(streamId, cancellationToken).ConfigureAwait(false), [], true);
            if (snapshot is not null && snapshot.SchemaVersion == _options.SnapshotSchemaVersion && _codec.TryDecodeState<TState>(snapshot.Data, out var saved))
            {
                (state, version, first, mayHaveMore) = (saved, snapshot.Version, events, more);
            }
        }

        foreach (var recorded in first)
        {
            (state, version) = (_decider.Evolve(state, _codec.Decode(recorded)), recorded.Version);
        }

        if (mayHaveMore)
        {
            await foreach (var recorded in _store.ReadStreamAsync(streamId, Direction.Forwards, (version ?? -1) + 1, long.MaxValue, cancellationToken).ConfigureAwait(false))
            {
                (state, version) = (_decider.Evolve(state, _codec.Decode(recorded)), recorded.Version);
            }
        }

        return (state, version);
    }

    // After the events are stored: a snapshot that fails costs only speed, so it does not fail the command.
    private async Task SnapshotIfDueAsync(string streamId, TState state, long? before, long after, CancellationToken cancellationToken)
    {
        var every = _options.SnapshotEvery;
        if (every <= 0 || ((before ?? -1) + 1) / every == (after + 1) / every)
        {
            return;
        }

        try
        {
            await _store.SaveSnapshotAsync(streamId, new Snapshot(after, _options.SnapshotSchemaVersion, _codec.EncodeState(state)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.SnapshotFailed(_logger, exception, streamId); // the next load reads more events; the next multiple tries again
        }
    }
}
