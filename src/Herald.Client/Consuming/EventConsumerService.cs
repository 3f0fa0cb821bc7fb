using Herald.Client.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Client;

/// <summary>
/// One registered consumer, hosted: joins its group, polls on its own loop (so a slow handler never keeps the member
/// from polling and getting expelled), hands events to per-partition lanes, pauses partitions whose buffers are full,
/// and commits finished offsets in the background and on shutdown.
/// </summary>
internal sealed partial class EventConsumerService(
    string name,
    Type handlerType,
    IServiceProvider services,
    TransportProvider transports,
    IOptionsMonitor<ConsumerOptions> allOptions,
    ILoggerFactory loggers) : BackgroundService
{
    // After DrainTimeout, the last commit and the transport's close each get this long at most.
    private static readonly TimeSpan FinalCommitTimeout = TimeSpan.FromSeconds(2);

    private readonly ILogger _logger = loggers.CreateLogger($"Herald.Client.Consumer.{name}");

    public override Task StartAsync(CancellationToken cancellationToken) =>
        transports.IsConfigured ? base.StartAsync(cancellationToken) : throw new InvalidOperationException($"Consumer '{name}': {TransportProvider.NoTransport}");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = allOptions.Get(name);
        (IEventTransport Transport, RecordProcessor Processor)? ready = null;
        await SuperviseAsync(async () => ready = await SetUpAsync(options, stoppingToken).ConfigureAwait(false), "Starting", stoppingToken).ConfigureAwait(false);
        if (ready is not { } started)
        {
            return; // stopped before it could start
        }

        var (transport, processor) = started;
        var consumers = services.GetRequiredService<HeraldConsumers>();
        var status = consumers.Register(name, options.Topic, options.Group, transport.System);
        LogStarted(_logger, options.Topic, options.Group, handlerType.Name);
        try
        {
            // Each retry tier is read by a member of a group of its own, so its waiting events hold up nothing else.
            // Each loop is supervised on its own: one that fails restarts, and does not hide behind the others.
            var loops = Enumerable.Range(1, options.DelayedRetries.Count)
                .Select(tier => SuperviseAsync(() => ConsumeAsync(transport, processor, options, options.RetryTopic(tier), $"{options.Group}.retry-{tier}", null, stoppingToken), options.RetryTopic(tier), stoppingToken))
                .Prepend(SuperviseAsync(() => ConsumeAsync(transport, processor, options, options.Topic, options.Group, status, stoppingToken), options.Topic, stoppingToken));
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        finally
        {
            consumers.Unregister(name);
            LogStopped(_logger, options.Topic, options.Group);
        }
    }

    private async Task<(IEventTransport, RecordProcessor)> SetUpAsync(ConsumerOptions options, CancellationToken stoppingToken)
    {
        var transport = await transports.GetAsync(stoppingToken).ConfigureAwait(false);
        var topics = services.GetRequiredService<TopicMap>();
        foreach (var topic in Enumerable.Range(1, options.DelayedRetries.Count).Select(options.RetryTopic).Prepend(options.Topic))
        {
            await topics.EnsureAsync(transport, topic, stoppingToken).ConfigureAwait(false);
        }

        var processor = new RecordProcessor(
            services.GetRequiredService<IServiceScopeFactory>(),
            new HandlerMap(handlerType, services.GetRequiredService<EventTypeRegistry>()),
            services.GetRequiredService<EventSerializer>(),
            services.GetRequiredService<IProcessedEventStore>(),
            options,
            transport,
            topics,
            _logger,
            services.GetService<TimeProvider>() ?? TimeProvider.System);
        await processor.RefreshHeldKeysAsync(stoppingToken).ConfigureAwait(false);
        return (transport, processor);
    }

    // Runs until shutdown; a failure (the broker unreachable, a fatal client error) is logged and retried with backoff
    // from 1 s to 30 s, so one consumer's trouble neither stops the host nor goes unnoticed.
    private async Task SuperviseAsync(Func<Task> run, string what, CancellationToken stoppingToken)
    {
        var supervision = RetryForever.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), services.GetService<TimeProvider>() ?? TimeProvider.System, (failure, delay) => LogConsumerFailed(_logger, failure, what, delay));
        try
        {
            await supervision.ExecuteAsync(async _ => await run().ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopped
        }
    }

    private async Task ConsumeAsync(IEventTransport transport, RecordProcessor processor, ConsumerOptions options, string topic, string group, ConsumerStatus? status, CancellationToken stoppingToken)
    {
        using var concurrency = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        using var handlersStop = new CancellationTokenSource();
        var lanes = new Dictionary<int, PartitionLane>();
        var consumer = transport.Subscribe(topic, group, options.MaxBufferedPerPartition);
        var lastCommit = DateTimeOffset.UtcNow;
        var lastLag = DateTimeOffset.MinValue;
        var lastHeldRefresh = DateTimeOffset.UtcNow;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                IReadOnlyList<IncomingRecord> records;
                try
                {
                    records = await consumer.PollAsync(options.PollTimeout, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }

                FollowAssignment(consumer, lanes, processor, concurrency, handlersStop.Token);
                foreach (var record in records)
                {
                    if (!lanes.TryGetValue(record.Partition, out var lane) || !lane.Add(record))
                    {
                        consumer.Finished(record.Partition, 1); // not taken, so it holds no room
                    }
                }

                var breaker = processor.BreakerState;
                PauseWhileBreakerIsOpen(consumer, lanes.Values, breaker != BreakerState.Closed);
                if (DateTimeOffset.UtcNow - lastCommit >= options.CommitInterval)
                {
                    try
                    {
                        // A stop does not wait for a periodic commit to a broker that has gone; the final one below is bounded.
                        await CommitAsync(consumer, lanes.Values, stoppingToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                    {
                        break;
                    }

                    lastCommit = DateTimeOffset.UtcNow;
                }

                if (status is not null)
                {
                    status.Breaker = breaker;
                    if (options.HoldKeysBehindDeadLetters && DateTimeOffset.UtcNow - lastHeldRefresh >= options.HeldKeysRefresh)
                    {
                        await RefreshHeldKeysAsync(processor, stoppingToken).ConfigureAwait(false);
                        lastHeldRefresh = DateTimeOffset.UtcNow;
                    }

                    if (DateTimeOffset.UtcNow - lastLag >= options.LagInterval)
                    {
                        await MeasureLagAsync(transport, options, status, lanes.Values, stoppingToken).ConfigureAwait(false);
                        lastLag = DateTimeOffset.UtcNow;
                    }
                }
            }
        }
        finally
        {
            // Polling has stopped. Events already running get DrainTimeout to finish, then their handlers are cancelled;
            // events taken but not started are not started. What finished is committed; the rest is delivered again to
            // whoever owns the partition next.
            using (var drain = new CancellationTokenSource(options.DrainTimeout))
            {
                await Task.WhenAll(lanes.Values.Select(l => l.DrainAsync(drain.Token))).ConfigureAwait(false);
            }

            await handlersStop.CancelAsync().ConfigureAwait(false);

            // Bounded, so a stop ends soon after DrainTimeout even with the broker gone; what is not committed is
            // delivered again, which processed-event skipping absorbs.
            using (var commitWindow = new CancellationTokenSource(FinalCommitTimeout))
            {
                try
                {
                    await CommitAsync(consumer, lanes.Values, commitWindow.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException exception)
                {
                    LogCommitFailed(_logger, exception);
                }
            }

            await consumer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void FollowAssignment(ITransportConsumer consumer, Dictionary<int, PartitionLane> lanes, RecordProcessor processor, SemaphoreSlim concurrency, CancellationToken stopping)
    {
        var assigned = consumer.Assignment;
        var changed = false;
        foreach (var revoked in lanes.Keys.Where(p => !assigned.Contains(p)).ToList())
        {
            lanes[revoked].Revoke(); // its unfinished events will be delivered again to the new owner
            lanes[revoked].Dispose();
            lanes.Remove(revoked);
            changed = true;
        }

        foreach (var partition in assigned)
        {
            if (!lanes.ContainsKey(partition))
            {
                lanes[partition] = new PartitionLane(partition, processor.ProcessAsync, concurrency, p => consumer.Finished(p, 1), _logger, stopping);
                changed = true;
            }
        }

        if (changed)
        {
            // A client may keep a partition paused across a rebalance (librdkafka does); start every one from running.
            foreach (var lane in lanes.Values)
            {
                consumer.Resume(lane.Partition);
                lane.Paused = false;
            }
        }
    }

    // Every partition pauses while the breaker is open. A partition's read-ahead is bounded by the transport, which hands
    // over at most MaxBufferedPerPartition of its records not yet finished.
    private static void PauseWhileBreakerIsOpen(ITransportConsumer consumer, IEnumerable<PartitionLane> lanes, bool breakerOpen)
    {
        foreach (var lane in lanes)
        {
            if (breakerOpen && !lane.Paused)
            {
                consumer.Pause(lane.Partition);
                lane.Paused = true;
            }
            else if (!breakerOpen && lane.Paused)
            {
                consumer.Resume(lane.Partition);
                lane.Paused = false;
            }
        }
    }

    private async Task RefreshHeldKeysAsync(RecordProcessor processor, CancellationToken cancellationToken)
    {
        try
        {
            await processor.RefreshHeldKeysAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogLagFailed(_logger, exception);
        }
    }

    private async Task MeasureLagAsync(IEventTransport transport, ConsumerOptions options, ConsumerStatus status, IEnumerable<PartitionLane> lanes, CancellationToken cancellationToken)
    {
        try
        {
            status.Partitions = await transport.PositionsAsync(options.Topic, options.Group, cancellationToken).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            status.AgeByPartition = lanes.ToDictionary(l => l.Partition, l => l.OldestUnfinishedTimestamp is { } oldest ? now - oldest : TimeSpan.Zero);
            status.BufferedByPartition = lanes.ToDictionary(l => l.Partition, l => l.Buffered);
            status.MeasuredAt = DateTimeOffset.UtcNow;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogLagFailed(_logger, exception);
        }
    }

    private async Task CommitAsync(ITransportConsumer consumer, IEnumerable<PartitionLane> lanes, CancellationToken cancellationToken)
    {
        var offsets = new Dictionary<int, long>();
        foreach (var lane in lanes)
        {
            if (lane.TakeCommittable() is { } next)
            {
                offsets[lane.Partition] = next;
            }
        }

        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            await consumer.CommitAsync(offsets, cancellationToken).ConfigureAwait(false);
            foreach (var lane in lanes)
            {
                if (offsets.TryGetValue(lane.Partition, out var committed))
                {
                    lane.MarkCommitted(committed);
                }
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogCommitFailed(_logger, exception);
        }
    }

    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Consuming {Topic} as group {Group} with {Handler}")]
    private static partial void LogStarted(ILogger logger, string topic, string group, string handler);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Stopped consuming {Topic} as group {Group}")]
    private static partial void LogStopped(ILogger logger, string topic, string group);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "{What} failed; trying again in {Delay}")]
    private static partial void LogConsumerFailed(ILogger logger, Exception exception, string what, TimeSpan delay);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Debug, Message = "Measuring lag failed")]
    private static partial void LogLagFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Committing offsets failed; the events will be delivered again")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception);
}
