using Herald.Client;
using Herald.EventSourcing.Embedded;
using Microsoft.Extensions.Logging;

namespace Herald.EventSourcing;

/// <summary>
/// Runs one projection: follows <c>$all</c> into the generation being served, and when the code's version changed or a
/// rebuild was asked for, builds a new generation from position 0 beside it until it has caught up and takes over.
/// </summary>
internal sealed class ProjectionRunner
{
    private const int BatchSize = 500;
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(1);
    private readonly Projection _projection;
    private readonly IProjectionStorage _storage;
    private readonly IProjectionControl _control;
    private readonly IEventStore _store;
    private readonly EventCodec _codec;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly UnknownTypes _unknownTypes = new();
    private readonly ArrivalSignal _applied = new();
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ProjectionStatus _status;
    private IProjectionGeneration? _served;
    private IProjectionGeneration? _building;
    private long _skipped;
    private long _reportedAt;
    private long _requestsCheckedAt;

    public ProjectionRunner(Projection projection, IProjectionStorage storage, IProjectionControl control, IEventStore store, EventCodec codec, ILogger logger, TimeProvider time)
    {
        _projection = projection;
        _storage = storage;
        _control = control;
        _store = store;
        _codec = codec;
        _logger = logger;
        _time = time;
        _status = new ProjectionStatus(projection.Name, projection.Version, ProjectionPhase.Starting) { Updated = time.GetUtcNow() };
    }

    public string Name => _projection.Name;

    public ProjectionStatus Status => Volatile.Read(ref _status);

    public Task RequestRebuildAsync(CancellationToken cancellationToken) => _control.RequestRebuildAsync(Name, cancellationToken);

    /// <summary>Completes once the stored read model is served (or the first attempt failed), so a restart serves what was saved.</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>Completes once the generation served has projected every event before <paramref name="position"/>.</summary>
    public async Task WaitForAsync(long position, CancellationToken cancellationToken)
    {
        while (true)
        {
            var applied = _applied.Next();
            if (_served is { } served && served.Info.Checkpoint >= position)
            {
                return;
            }

            await applied.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var retry = RetryForever.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), _time, (failure, delay) =>
        {
            Publish(Status with { Phase = ProjectionPhase.Faulted, Error = failure.Message, Updated = _time.GetUtcNow() });
            Log.ProjectionFailed(_logger, failure, Name, delay);
            _loaded.TrySetResult();
        });
        using var stopReporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reporting = ReportEverySecondAsync(stopReporting.Token);
        try
        {
            await retry.ExecuteAsync(
                async token =>
                {
                    for (var rebuild = false; ;)
                    {
                        try
                        {
                            rebuild = await RunGenerationsAsync(rebuild, token).ConfigureAwait(false);
                        }
                        catch (ProjectionConflictException)
                        {
                            Log.ProjectionConflict(_logger, Name, _served?.Info.Generation ?? 0);
                            rebuild = false;
                        }
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _loaded.TrySetResult();
            await stopReporting.CancelAsync().ConfigureAwait(false);
            await reporting.ConfigureAwait(false);
        }
    }

    // Besides the reports after each batch: a generation busy in a long batch, or one not followed, still reports its lag.
    private async Task ReportEverySecondAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ReportEvery, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await ReportAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The store is unreachable: the runner's own failure says so; the status stays as it was.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // One round: open the generations as stored, build a new one if needed, follow. Returns whether a rebuild was asked for.
    private async Task<bool> RunGenerationsAsync(bool rebuild, CancellationToken cancellationToken)
    {
        var generations = await _storage.ListAsync(cancellationToken).ConfigureAwait(false);
        var live = generations.FirstOrDefault(g => g.Live);
        var resumable = generations.FirstOrDefault(g => !g.Live && g.Version == _projection.Version);
        foreach (var stale in generations.Where(g => !g.Live && g != resumable))
        {
            await _storage.DropAsync(stale, cancellationToken).ConfigureAwait(false);
        }

        rebuild |= await _control.TakeRebuildRequestAsync(Name, cancellationToken).ConfigureAwait(false);
        var liveIsCurrent = live is not null && live.Version == _projection.Version;
        await using var served = live is null ? null : await _storage.OpenAsync(live, cancellationToken).ConfigureAwait(false);
        served?.Serve(); // an older version's read model stays served, unchanged, until the new one takes over
        await using var building = resumable is not null
            ? await _storage.OpenAsync(resumable, cancellationToken).ConfigureAwait(false)
            : liveIsCurrent && !rebuild ? null : await _storage.CreateAsync(_projection.Version, cancellationToken).ConfigureAwait(false);
        Track(served, building);
        try
        {
            if (building is null)
            {
                return await FollowAsync(served!, untilCaughtUp: false, cancellationToken).ConfigureAwait(false);
            }

            Log.BuildingGeneration(_logger, Name, _projection.Version, building.Info.Generation);
            using (var stopServed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var following = liveIsCurrent ? FollowAsync(served!, untilCaughtUp: false, stopServed.Token) : Task.FromResult(false);
                try
                {
                    await FollowAsync(building, untilCaughtUp: true, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await stopServed.CancelAsync().ConfigureAwait(false);
                    await following.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                }

                if (following.IsFaulted)
                {
                    await following.ConfigureAwait(false); // the served generation's failure, once the new one is saved
                }
            }

            await _storage.TakeOverAsync(building, live, cancellationToken).ConfigureAwait(false);
            Track(building, null);
            Log.TookOver(_logger, Name, _projection.Version, building.Info.Generation, building.Info.Checkpoint);
            Interlocked.Exchange(ref _reportedAt, 0); // the takeover is reported now, not up to a second later
            await ReportAsync(cancellationToken).ConfigureAwait(false);
            return await FollowAsync(building, untilCaughtUp: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Track(null, null);
        }
    }

    private void Track(IProjectionGeneration? served, IProjectionGeneration? building)
    {
        (_served, _building) = (served, building);
        _applied.Signal(); // a waiter may be satisfied by the generation now served
        if (served is not null || building is not null)
        {
            _loaded.TrySetResult();
        }
    }

    // Passes over $all into one generation. Until caught up: returns once a pass finds nothing new, or after a few
    // short passes in a row (appends that never stop must not keep a rebuild from taking over). Otherwise: follows
    // until cancelled, or until a rebuild is asked for (returns true).
    private async Task<bool> FollowAsync(IProjectionGeneration generation, bool untilCaughtUp, CancellationToken cancellationToken)
    {
        const int ShortPassesBeforeTakeover = 10;
        for (var shortPasses = 0; ;)
        {
            var end = await _store.GetEndPositionAsync(cancellationToken).ConfigureAwait(false);
            var projected = end > generation.Info.Checkpoint ? await PassAsync(generation, end, cancellationToken).ConfigureAwait(false) : 0;
            await ReportAsync(cancellationToken).ConfigureAwait(false);
            if (untilCaughtUp)
            {
                shortPasses = projected < BatchSize ? shortPasses + 1 : 0;
                if (projected == 0 || shortPasses == ShortPassesBeforeTakeover)
                {
                    return false;
                }

                continue;
            }

            if (await RebuildRequestedAsync(cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            if (projected == 0 && generation.Info.Checkpoint >= end)
            {
                await WaitBeyondAsync(end, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Reads $all from the generation's checkpoint, in batches each applied with its checkpoint; the last batch moves the
    // checkpoint to at least the end, past events the filter left out.
    private async Task<long> PassAsync(IProjectionGeneration generation, long end, CancellationToken cancellationToken)
    {
        var batch = new List<ProjectedEvent>(BatchSize);
        var next = generation.Info.Checkpoint;
        long read = 0;
        await foreach (var recorded in _store.ReadAllAsync(next, _projection.Filter, cancellationToken).ConfigureAwait(false))
        {
            read++;
            next = recorded.Position + 1;
            if (Decode(recorded) is { } projected)
            {
                batch.Add(projected);
            }

            if (batch.Count == BatchSize)
            {
                await ApplyAsync(generation, batch, next, cancellationToken).ConfigureAwait(false);
                batch = new List<ProjectedEvent>(BatchSize);
            }
        }

        next = Math.Max(next, end);
        if (batch.Count > 0 || next > generation.Info.Checkpoint)
        {
            await ApplyAsync(generation, batch, next, cancellationToken).ConfigureAwait(false);
        }

        return read;
    }

    private async Task ApplyAsync(IProjectionGeneration generation, List<ProjectedEvent> batch, long checkpoint, CancellationToken cancellationToken)
    {
        using var activity = batch.Count > 0 && EventStoreTelemetry.Source.HasListeners() ? StartSpan(generation, batch) : null;
        await generation.ApplyAsync(batch, checkpoint, cancellationToken).ConfigureAwait(false);
        _applied.Signal();
        EventStoreTelemetry.Projected(Name, batch.Count);
        await ReportAsync(cancellationToken).ConfigureAwait(false);
    }

    // One span per batch, linked to the spans of the appends that stored its events.
    private System.Diagnostics.Activity? StartSpan(IProjectionGeneration generation, List<ProjectedEvent> batch)
    {
        var links = new List<System.Diagnostics.ActivityLink>();
        foreach (var traceParent in batch.Select(e => e.Recorded.TraceParent).Distinct())
        {
            if (System.Diagnostics.ActivityContext.TryParse(traceParent, null, out var context))
            {
                links.Add(new System.Diagnostics.ActivityLink(context));
            }
        }

        var activity = EventStoreTelemetry.Source.StartActivity(System.Diagnostics.ActivityKind.Consumer, default, links: links, name: $"project {Name}");
        activity?.SetTag("herald.projection.name", Name);
        activity?.SetTag("herald.projection.generation", generation.Info.Generation);
        activity?.SetTag("herald.projection.events", batch.Count);
        return activity;
    }

    private ProjectedEvent? Decode(RecordedEvent recorded)
    {
        if (_codec.DecodeIfKnown(recorded) is { } decoded)
        {
            return new ProjectedEvent(recorded, decoded);
        }

        Interlocked.Increment(ref _skipped);
        if (_unknownTypes.IsNew(recorded.Type))
        {
            Log.SkippingUnknownType(_logger, Name, recorded.Type);
        }

        return null;
    }

    private async Task WaitBeyondAsync(long end, CancellationToken cancellationToken)
    {
        // Woken at least every second, to see rebuild requests and report how old the lag is.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(ReportEvery);
        try
        {
            await _store.WaitForAllBeyondAsync(end, _time, bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> RebuildRequestedAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        if (_requestsCheckedAt != 0 && _time.GetElapsedTime(_requestsCheckedAt, now) < ReportEvery)
        {
            return false;
        }

        _requestsCheckedAt = now;
        return await _control.TakeRebuildRequestAsync(Name, cancellationToken).ConfigureAwait(false);
    }

    // The status, its lag measured against the store, at most once a second (and saved for readers outside the process).
    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _reportedAt);
        if ((last != 0 && _time.GetElapsedTime(last, now) < ReportEvery) || Interlocked.CompareExchange(ref _reportedAt, now, last) != last)
        {
            return;
        }

        var served = _served;
        var building = _building;
        var checkpoint = (served ?? building)?.Info.Checkpoint ?? 0;
        var end = await _store.GetEndPositionAsync(cancellationToken).ConfigureAwait(false);
        var lagEvents = await _store.CountAllEventsAsync(checkpoint, end, cancellationToken).ConfigureAwait(false);
        double lagSeconds = 0;
        if (lagEvents > 0)
        {
            await foreach (var oldest in _store.ReadAllAsync(checkpoint, null, cancellationToken).ConfigureAwait(false))
            {
                lagSeconds = Math.Max(0, (_time.GetUtcNow() - oldest.Timestamp).TotalSeconds);
                break;
            }
        }

        var phase = building is null ? ProjectionPhase.Live : served is null ? ProjectionPhase.Building : ProjectionPhase.Rebuilding;
        var status = new ProjectionStatus(Name, _projection.Version, phase)
        {
            Generation = served?.Info.Generation,
            Checkpoint = checkpoint,
            LagEvents = lagEvents,
            LagSeconds = lagSeconds,
            RebuildGeneration = building?.Info.Generation,
            RebuildCheckpoint = building?.Info.Checkpoint,
            Skipped = Interlocked.Read(ref _skipped),
            Updated = _time.GetUtcNow(),
        };
        Publish(status);
        await _control.SaveStatusAsync(status, cancellationToken).ConfigureAwait(false);
    }

    private void Publish(ProjectionStatus status) => Volatile.Write(ref _status, status);
}
