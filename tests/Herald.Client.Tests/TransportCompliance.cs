using System.Diagnostics;
using System.Net;
using System.Text;
using Herald.Broker;
using Herald.Client.Transport;
using Herald.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Client.Tests;

/// <summary>
/// The SDK's promises, run against each transport: the embedded broker, and Confluent.Kafka talking to Herald's Kafka
/// listener over a real socket. Each test gets a fresh broker on disk.
/// </summary>
public abstract class TransportCompliance : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-client-" + Guid.NewGuid().ToString("N"));
    private readonly List<IHost> _hosts = [];

    protected HeraldBroker Broker { get; private set; } = null!;

    protected Recorder Recorder { get; } = new();

    protected string Topic { get; } = "orders-" + Guid.NewGuid().ToString("N")[..8]; // unique: metrics are process-wide

    protected string Group { get; } = "billing";

    public async Task InitializeAsync()
    {
        // Short sessions are allowed so that the tests of slow handlers need not wait out Kafka's 6 s minimum.
        Broker = await HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = _directory, GroupMinSessionTimeout = TimeSpan.FromSeconds(1) });
        await StartAsync(Broker);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await StopAsync(host);
        }

        await StopAsync();
        await Broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Starts whatever the transport needs beside the broker.</summary>
    protected abstract Task StartAsync(HeraldBroker broker);

    protected abstract Task StopAsync();

    protected abstract void UseTransport(HeraldBuilder herald);

    [Fact]
    public async Task Published_events_reach_the_handler_with_their_CloudEvents_envelope()
    {
        var host = await StartHostAsync();
        var publisher = host.Services.GetRequiredService<IEventPublisher>();

        var receipt = await publisher.PublishAsync(new OrderPlaced("o-1", 1, 12.5m));
        await publisher.PublishBatchAsync([new OrderPlaced("o-2", 2, 3m), new OrderPlaced("o-3", 3, 4m)]);

        await Recorder.WaitUntilAsync(h => h.Count == 3);
        var (first, context, _) = Recorder.Snapshot().Single(h => h.Event.OrderId == "o-1");
        Assert.Equal(new OrderPlaced("o-1", 1, 12.5m), first);
        Assert.Equal(receipt.Metadata.Id, context.Metadata.Id);
        Assert.Equal(7, (int)((receipt.Metadata.Id.ToByteArray(bigEndian: true)[6] >> 4) & 0xF)); // UUIDv7
        Assert.Equal(("OrderPlaced", 1, "o-1", "/herald-tests"), (context.Metadata.Type.Name, context.Metadata.Type.Version, context.Metadata.Key, context.Metadata.Source));
        Assert.Equal(receipt.Metadata.Id.ToString(), context.Metadata.CorrelationId);
        Assert.Equal((Topic, Group, receipt.Partition, receipt.Offset), (context.Topic, context.Group, context.Partition, context.Offset));

        // On the wire: the CloudEvents Kafka binding in binary mode, readable without Herald.
        var raw = (await ReadAsync(Topic, "raw-reader", 3)).Single(r => r.Key == "o-1");
        Assert.Equal("1.0", Header(raw, "ce_specversion"));
        Assert.Equal("OrderPlaced.v1", Header(raw, "ce_type"));
        Assert.Equal(receipt.Metadata.Id.ToString(), Header(raw, "ce_id"));
        Assert.Equal("application/json", Header(raw, "content-type"));
        Assert.NotNull(Header(raw, "ce_time"));
        Assert.Equal("{\"orderId\":\"o-1\",\"sequence\":1,\"total\":12.5}", Encoding.UTF8.GetString(raw.Value.Span));
    }

    // Regression: the embedded leader assigned only its own topic, to every member, so a group with a consumer per
    // topic (one service reading two topics under one group name) left the other topic unread.
    [Fact]
    public async Task One_group_with_a_consumer_per_topic_reads_every_topic()
    {
        var second = Topic + "-second";
        var host = await StartHostAsync(extra: herald => herald.AddConsumer<OrderHandler>(second, Group, options => options.CommitInterval = TimeSpan.FromMilliseconds(100)));
        var publisher = host.Services.GetRequiredService<IEventPublisher>();

        foreach (var i in Enumerable.Range(0, 6))
        {
            await publisher.PublishAsync(new OrderPlaced($"first-{i}", i, 1m));
            await publisher.PublishAsync(new OrderPlaced($"second-{i}", i, 1m), new PublishOptions { Topic = second });
        }

        await Recorder.WaitUntilAsync(h => h.Count == 12);
        var byTopic = Recorder.Snapshot().GroupBy(h => h.Context.Topic).ToDictionary(g => g.Key, g => g.Select(h => h.Event.OrderId).Order().ToList());
        Assert.Equal([.. Enumerable.Range(0, 6).Select(i => $"first-{i}")], byTopic[Topic]);
        Assert.Equal([.. Enumerable.Range(0, 6).Select(i => $"second-{i}")], byTopic[second]);
    }

    [Fact]
    public async Task A_partitions_read_ahead_stays_within_its_bound_and_a_stop_finishes_only_what_is_running()
    {
        // Regression: with MaxBufferedPerPartition 10 and a stuck handler, the consumer held 496 of 600 events on the
        // embedded transport and up to all of them on Kafka, and a stop then ran every one of them.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Recorder.Before = (e, token) => release.Task.WaitAsync(token);
        var host = await StartHostAsync(configure: c =>
        {
            c.MaxBufferedPerPartition = 10;
            c.MaxConcurrency = 1;
            c.LagInterval = TimeSpan.FromMilliseconds(50);
            c.DrainTimeout = TimeSpan.FromMilliseconds(500);
        });
        var status = host.Services.GetRequiredService<HeraldConsumers>();
        await host.Services.GetRequiredService<IEventPublisher>().PublishBatchAsync(Enumerable.Range(0, 600).Select(i => new OrderPlaced($"o-{i % 7}", i, i)));

        for (var started = DateTime.UtcNow.AddSeconds(30); Recorder.Attempts.Count == 0; await Task.Delay(25))
        {
            Assert.True(DateTime.UtcNow < started, "the first event never started");
        }

        var most = 0;
        for (var deadline = DateTime.UtcNow.AddSeconds(2); DateTime.UtcNow < deadline; await Task.Delay(25))
        {
            most = Math.Max(most, status.All.Values.SelectMany(s => s.BufferedByPartition.Values).DefaultIfEmpty(0).Max());
        }

        Assert.InRange(most, 1, 10);
        await host.StopAsync();
        Assert.Single(Recorder.Attempts); // the one running when the stop came; the others were not started

        // Nothing was lost or skipped: a new member, held to 50 at a time, gets everything from the event that never
        // finished, each key in order, through many pauses for room and resumes.
        release.TrySetResult();
        var again = await StartHostAsync(configure: c => c.MaxBufferedPerPartition = 50);
        await Recorder.WaitUntilAsync(h => h.Count == 600, TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, 600), Recorder.Snapshot().Select(h => h.Event.Sequence).Order());
        foreach (var key in Recorder.Snapshot().GroupBy(h => h.Event.OrderId))
        {
            Assert.Equal(key.Select(h => h.Event.Sequence).Order(), key.Select(h => h.Event.Sequence));
        }

        await again.StopAsync();
    }

    [Fact]
    public async Task Listing_the_dead_letters_of_a_group_with_none_creates_nothing()
    {
        // Regression: on Kafka, reading asked for the topic by name, and a broker that auto-creates topics created them.
        var host = await StartHostAsync(consume: false);
        var dlq = host.Services.GetRequiredService<DeadLetterQueue>();

        Assert.Empty(await dlq.ListAsync(DeadLetterQueue.TopicFor(Topic, "nobody")));

        Assert.False(Broker.TopicExists(DeadLetterQueue.TopicFor(Topic, "nobody")));
        Assert.False(Broker.TopicExists(DeadLetterQueue.TopicFor(Topic, "nobody") + ".resolved"));
    }

    [Fact]
    public async Task Events_with_one_key_are_handled_in_order_while_other_keys_run_beside_them()
    {
        Recorder.Before = (e, token) => Task.Delay(Random.Shared.Next(0, 4), token);
        var host = await StartHostAsync(configure: c => c.MaxConcurrency = 8);
        var publisher = host.Services.GetRequiredService<IEventPublisher>();
        var events = Enumerable.Range(0, 300).Select(i => new OrderPlaced($"o-{i % 12}", i, i)).ToList();

        await publisher.PublishBatchAsync(events);

        await Recorder.WaitUntilAsync(h => h.Count == events.Count);
        foreach (var key in Recorder.Snapshot().GroupBy(h => h.Event.OrderId))
        {
            var sequences = key.Select(h => h.Event.Sequence).ToList();
            Assert.Equal(sequences.Order(), sequences);
        }

        Assert.InRange(Recorder.MostAtOnce, 2, 8);
    }

    [Fact]
    public async Task A_failing_event_is_retried_then_dead_lettered_with_why_and_where_while_the_others_go_on()
    {
        Recorder.Fail = e => e.OrderId == "bad" ? new TimeoutException("downstream timed out") : null;
        var host = await StartHostAsync(configure: c =>
        {
            c.Retries = 2;
            c.RetryDelay = TimeSpan.FromMilliseconds(5);
        });
        var publisher = host.Services.GetRequiredService<IEventPublisher>();

        var bad = await publisher.PublishAsync(new OrderPlaced("bad", 1, 1));
        await publisher.PublishAsync(new OrderPlaced("good", 2, 2));

        var letter = (await ReadAsync($"{Topic}.{Group}.dlq", "dlq-reader", 1)).Single();
        Assert.Equal([1, 2, 3], Recorder.Attempts.Where(a => a.Event.OrderId == "bad").Select(a => a.Attempt));
        Assert.Equal("bad", letter.Key);
        Assert.Equal(bad.Metadata.Id.ToString(), Header(letter, "ce_id")); // the original record, kept whole
        Assert.Equal(typeof(TimeoutException).FullName, Header(letter, DeadLetterHeaders.ExceptionType));
        Assert.Equal("downstream timed out", Header(letter, DeadLetterHeaders.ExceptionMessage));
        Assert.Contains("RecordAsync", Header(letter, DeadLetterHeaders.ExceptionStack), StringComparison.Ordinal);
        Assert.Equal(("3", Topic, bad.Partition.ToString(), bad.Offset.ToString(), Group), (Header(letter, DeadLetterHeaders.Attempts), Header(letter, DeadLetterHeaders.OriginalTopic), Header(letter, DeadLetterHeaders.OriginalPartition), Header(letter, DeadLetterHeaders.OriginalOffset), Header(letter, DeadLetterHeaders.Group)));
        Assert.True(DateTimeOffset.Parse(Header(letter, DeadLetterHeaders.FirstFailure)!) <= DateTimeOffset.Parse(Header(letter, DeadLetterHeaders.LastFailure)!));
        await Recorder.WaitUntilAsync(h => h.Any(e => e.Event.OrderId == "good"));
    }

    [Fact]
    public async Task Dead_letters_are_listed_then_redriven_with_their_ids_and_succeed_or_purged()
    {
        var downstreamUp = false;
        Recorder.Fail = e => e.OrderId.StartsWith("fails", StringComparison.Ordinal) && !Volatile.Read(ref downstreamUp) ? new TimeoutException("database down") : null;
        var host = await StartHostAsync(configure: c =>
        {
            c.Retries = 1;
            c.RetryDelay = TimeSpan.FromMilliseconds(5);
        });
        var publisher = host.Services.GetRequiredService<IEventPublisher>();
        var dlq = host.Services.GetRequiredService<DeadLetterQueue>();
        var deadLetterTopic = DeadLetterQueue.TopicFor(Topic, Group);
        var failed = await publisher.PublishAsync(new OrderPlaced("fails-1", 1, 1));
        await publisher.PublishAsync(new OrderPlaced("fails-2", 2, 1));
        await publisher.PublishAsync(new OrderPlaced("fails-3", 3, 1));
        await ReadAsync(deadLetterTopic, "dlq-reader", 3);

        var listed = await dlq.ListAsync(deadLetterTopic);
        Assert.Equal(3, listed.Count);
        var first = listed.Single(l => l.Key == "fails-1");
        Assert.Equal((failed.Metadata.Id.ToString(), "OrderPlaced.v1", "System.TimeoutException", 2, Topic, Group), (first.EventId, first.EventType, first.ExceptionType, first.Attempts, first.OriginalTopic, first.Group));
        Assert.Equal(first.Reference, (await dlq.ShowAsync(deadLetterTopic, first.Partition, first.Offset))?.Reference);
        Assert.Empty(await dlq.ListAsync(deadLetterTopic, new DeadLetterFilter { ErrorType = "ArgumentException" }));
        Assert.Empty(await dlq.ListAsync(deadLetterTopic, new DeadLetterFilter { EventType = "PaymentProcessed" }));

        var dryRun = await dlq.RedriveAsync(deadLetterTopic, new DeadLetterFilter { ErrorType = "TimeoutException", Limit = 2 }, dryRun: true);
        Assert.Equal(2, dryRun.Letters.Count);
        Assert.Equal(3, (await dlq.ListAsync(deadLetterTopic)).Count); // a dry run changes nothing

        Volatile.Write(ref downstreamUp, true);
        var redriven = await dlq.RedriveAsync(deadLetterTopic, new DeadLetterFilter { EventType = "OrderPlaced", Limit = 2 });
        Assert.Equal(2, redriven.Letters.Count);
        Assert.Equal(listed.Take(2).Select(l => l.Reference), redriven.Letters.Select(l => l.Reference)); // the oldest failures first
        await Recorder.WaitUntilAsync(h => h.Count(e => e.Event.OrderId.StartsWith("fails", StringComparison.Ordinal)) == 2);
        foreach (var letter in redriven.Letters)
        {
            Assert.Equal(letter.EventId, Recorder.Snapshot().Single(h => h.Event.OrderId == letter.Key).Context.Metadata.Id.ToString()); // same id, so idempotency holds
        }

        var purged = await dlq.PurgeAsync(deadLetterTopic);
        Assert.Equal(listed[2].Reference, purged.Letters.Single().Reference);
        Assert.Empty(await dlq.ListAsync(deadLetterTopic));
    }

    [Fact]
    public async Task The_breaker_pauses_consumption_while_a_dependency_is_down_then_probes_and_resumes()
    {
        var down = true;
        Recorder.Fail = e => Volatile.Read(ref down) ? new TimeoutException("database down") : null;
        var host = await StartHostAsync(
            configure: c =>
            {
                c.Retries = 0;
                c.MaxConcurrency = 1;
                c.LagInterval = TimeSpan.FromMilliseconds(50);
                c.CircuitBreaker.MinimumThroughput = 3;
                c.CircuitBreaker.FailureRatio = 0.5;
                c.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
                c.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(500);
            },
            services: s => s.AddHealthChecks().AddHeraldConsumers(maxLag: 1_000));
        var status = host.Services.GetRequiredService<HeraldConsumers>();
        var health = host.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>();
        await host.Services.GetRequiredService<IEventPublisher>().PublishBatchAsync(Enumerable.Range(0, 30).Select(i => new OrderPlaced($"o-{i}", i, i)));

        await WaitForAsync(() => status.All.Values.SingleOrDefault()?.Breaker is BreakerState.Open or BreakerState.HalfOpen);
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, (await health.CheckHealthAsync()).Status);
        var attemptsWhenOpened = Recorder.Attempts.Count;
        await Task.Delay(1_000);
        Assert.InRange(Recorder.Attempts.Count - attemptsWhenOpened, 0, 6); // a probe every 500 ms, not 30 events burning through

        Volatile.Write(ref down, false);
        var dlq = host.Services.GetRequiredService<DeadLetterQueue>();
        await WaitForAsync(async () => Recorder.Snapshot().Count + (await dlq.ListAsync(DeadLetterQueue.TopicFor(Topic, Group))).Count == 30);
        Assert.InRange((await dlq.ListAsync(DeadLetterQueue.TopicFor(Topic, Group))).Count, 0, 2); // only those that failed before it opened
        await WaitForAsync(() => status.All.Values.SingleOrDefault() is { Breaker: BreakerState.Closed, Lag: 0, MeasuredAt: not null });
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task The_pull_API_reads_events_in_a_loop_and_resumes_after_what_was_processed()
    {
        var host = await StartHostAsync(consume: false);
        var stream = host.Services.GetRequiredService<EventStream>();
        await host.Services.GetRequiredService<IEventPublisher>().PublishBatchAsync(Enumerable.Range(0, 5).Select(i => new OrderPlaced("one-key", i, i)));

        var first = new List<int>();
        using (var firstTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await foreach (var received in stream.ReadAsync<OrderPlaced>(Topic, "puller", firstTimeout.Token))
            {
                first.Add(received.Event.Sequence);
                Assert.Equal(("OrderPlaced", "one-key", "puller"), (received.Context.Metadata.Type.Name, received.Context.Metadata.Key, received.Context.Group));
                if (first.Count == 3)
                {
                    received.Acknowledge();
                    break;
                }
            }
        }

        var second = new List<int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var received in stream.ReadAsync<OrderPlaced>(Topic, "puller", timeout.Token))
        {
            second.Add(received.Event.Sequence);
            if (second.Count == 2)
            {
                break;
            }
        }

        Assert.Equal([0, 1, 2], first);
        Assert.Equal([3, 4], second);
    }

    [Fact]
    public async Task A_groups_lag_is_read_from_the_broker_without_a_consumer_of_it_in_the_process()
    {
        var host = await StartHostAsync(consume: false);
        var lag = host.Services.GetRequiredService<GroupLagReader>();
        await host.Services.GetRequiredService<IEventPublisher>().PublishBatchAsync(Enumerable.Range(0, 5).Select(i => new OrderPlaced("one-key", i, i)));

        var before = await lag.ReadAsync(Topic, "reporting");
        Assert.Equal(5, before.Total);
        Assert.All(before.Partitions, p => Assert.Equal(-1, p.Committed));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = 0;
        await foreach (var received in host.Services.GetRequiredService<EventStream>().ReadAsync<OrderPlaced>(Topic, "reporting", timeout.Token))
        {
            if (++read == 3)
            {
                received.Acknowledge();
                break;
            }
        }

        var after = await lag.ReadAsync(Topic, "reporting");
        Assert.Equal(2, after.Total);
        Assert.Contains(after.Partitions, p => (p.Committed, p.End) == (3, 5));
        Assert.Empty((await lag.ReadAsync("no-such-topic", "reporting")).Partitions);
    }

    [Fact]
    public async Task Versioned_state_skips_old_versions_and_holds_then_parks_early_ones_until_redriven()
    {
        var view = new StockView();
        var host = await StartHostAsync(
            consume: false,
            extra: h => h.MapTopic<StockChanged>("stock").AddConsumer<StockHandler>("stock", "view", c =>
            {
                c.Retries = 2;
                c.RetryDelay = TimeSpan.FromMilliseconds(5);
                c.CommitInterval = TimeSpan.FromMilliseconds(50);
            }),
            services: s => s.AddSingleton(view));
        var publisher = host.Services.GetRequiredService<IEventPublisher>();

        await publisher.PublishAsync(new StockChanged("sku-1", 1, 10));
        await publisher.PublishAsync(new StockChanged("sku-1", 1, 10)); // a duplicate in content: skipped by version
        await publisher.PublishAsync(new StockChanged("sku-1", 3, 30)); // early: version 2 is missing
        await publisher.PublishAsync(new StockChanged("sku-1", 2, 20));

        await WaitForAsync(() => view.Get("sku-1") == (2, 20));
        var dlq = host.Services.GetRequiredService<DeadLetterQueue>();
        var parked = (await ReadAsync(DeadLetterQueue.TopicFor("stock", "view"), "dlq-reader", 1)).Single();
        Assert.Equal(typeof(EventTooEarlyException).FullName, Header(parked, DeadLetterHeaders.ExceptionType));
        Assert.Equal("3", Header(parked, DeadLetterHeaders.Attempts));

        await dlq.RedriveAsync(DeadLetterQueue.TopicFor("stock", "view"));
        await WaitForAsync(() => view.Get("sku-1") == (3, 30));
    }

    [Fact]
    public async Task Delayed_retries_set_a_failing_event_aside_so_later_ones_go_on_then_try_it_again_when_due()
    {
        var failuresLeft = 2;
        Recorder.Fail = e => e.OrderId switch
        {
            "doomed" => new TimeoutException("never"),
            "flaky" when e.Sequence == 1 && Interlocked.Decrement(ref failuresLeft) >= 0 => new TimeoutException("not yet"),
            _ => null,
        };
        var host = await StartHostAsync(configure: c =>
        {
            c.Retries = 0;
            c.DelayedRetries.Add(TimeSpan.FromMilliseconds(300));
            c.DelayedRetries.Add(TimeSpan.FromMilliseconds(300));
        });
        var publisher = host.Services.GetRequiredService<IEventPublisher>();
        var started = DateTimeOffset.UtcNow;

        await publisher.PublishAsync(new OrderPlaced("flaky", 1, 1));
        await publisher.PublishAsync(new OrderPlaced("flaky", 2, 1)); // same key, yet not held up behind the failing one
        var doomed = await publisher.PublishAsync(new OrderPlaced("doomed", 1, 1));

        await Recorder.WaitUntilAsync(h => h.Count(e => e.Event.OrderId == "flaky") == 2);
        var handled = Recorder.Snapshot().Where(h => h.Event.OrderId == "flaky").ToList();
        Assert.Equal([2, 1], handled.Select(h => h.Event.Sequence));
        Assert.Equal(3, handled[1].Context.Attempt);
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromMilliseconds(600), "two delayed tiers of 300 ms each");

        var letter = (await ReadAsync($"{Topic}.{Group}.dlq", "dlq-reader", 1)).Single();
        Assert.Equal(("doomed", "3", Topic, doomed.Offset.ToString(), doomed.Partition.ToString()), (letter.Key, Header(letter, DeadLetterHeaders.Attempts), Header(letter, DeadLetterHeaders.OriginalTopic), Header(letter, DeadLetterHeaders.OriginalOffset), Header(letter, DeadLetterHeaders.OriginalPartition)));
        Assert.Null(Header(letter, RetryHeaders.Tier));
    }

    [Fact]
    public async Task With_keys_held_behind_dead_letters_a_key_is_replayed_in_order_after_redrive()
    {
        var fixedUp = false;
        Recorder.Fail = e => (e.OrderId, e.Sequence) == ("k", 1) && !Volatile.Read(ref fixedUp) ? new ArgumentException("bad address") : null;
        var host = await StartHostAsync(configure: c =>
        {
            c.Failures.On<ArgumentException>(FailureAction.DeadLetter);
            c.HoldKeysBehindDeadLetters = true;
            c.HeldKeysRefresh = TimeSpan.FromMilliseconds(100);
        });
        var publisher = host.Services.GetRequiredService<IEventPublisher>();
        var dlq = host.Services.GetRequiredService<DeadLetterQueue>();
        var deadLetterTopic = DeadLetterQueue.TopicFor(Topic, Group);

        await publisher.PublishAsync(new OrderPlaced("k", 1, 1));
        await publisher.PublishAsync(new OrderPlaced("k", 2, 1)); // would succeed, but must not overtake #1
        await publisher.PublishAsync(new OrderPlaced("k", 3, 1));
        await publisher.PublishAsync(new OrderPlaced("other", 1, 1));

        await Recorder.WaitUntilAsync(h => h.Any(e => e.Event.OrderId == "other"));
        await WaitForAsync(async () => (await dlq.ListAsync(deadLetterTopic)).Count == 3);
        Assert.DoesNotContain(Recorder.Snapshot(), h => h.Event.OrderId == "k");
        var parked = await dlq.ListAsync(deadLetterTopic);
        Assert.Equal(typeof(HeldBehindDeadLetterException).FullName, parked.Single(l => l.Key == "k" && l.Attempts == 0 && l.Record.Offset == parked.Max(p => p.Record.Offset)).ExceptionType);

        Volatile.Write(ref fixedUp, true);
        await dlq.RedriveAsync(deadLetterTopic);
        await Recorder.WaitUntilAsync(h => h.Count(e => e.Event.OrderId == "k") == 3);
        Assert.Equal([1, 2, 3], Recorder.Snapshot().Where(h => h.Event.OrderId == "k").Select(h => h.Event.Sequence));

        await Task.Delay(300); // the consumer learns the key is free again
        await publisher.PublishAsync(new OrderPlaced("k", 4, 1));
        await Recorder.WaitUntilAsync(h => h.Any(e => (e.Event.OrderId, e.Event.Sequence) == ("k", 4)));
    }

    [Fact]
    public async Task Older_versions_are_upcast_before_the_handler_sees_them()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<CustomerRegistered>();
        var host = await StartHostAsync(
            consume: false,
            extra: h => h
                .AddUpcaster(new DelegateUpcaster("CustomerRegistered", 1, body => new System.Text.Json.Nodes.JsonObject
                {
                    ["customerId"] = body["customerId"]!.GetValue<string>(),
                    ["fullName"] = $"{body["firstName"]} {body["lastName"]}",
                }))
                .AddConsumer<CustomerHandler>("customers", "crm"),
            services: s => s.AddSingleton(seen));
        var transport = await Transport(host);
        await transport.EnsureTopicAsync("customers", 1, CancellationToken.None);
        var v1 = CloudEventHeaders.Write(new EventMetadata(Guid.CreateVersion7(), new EventTypeName("CustomerRegistered", 1), "/legacy", DateTimeOffset.UtcNow, "c-1", null, null, null, null));

        await transport.PublishAsync(new OutgoingRecord("customers", "c-1", v1, Encoding.UTF8.GetBytes("{\"customerId\":\"c-1\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\"}")), CancellationToken.None);
        await host.Services.GetRequiredService<IEventPublisher>().PublishAsync(new CustomerRegistered("c-2", "Grace Hopper"), new PublishOptions { Topic = "customers" });

        await WaitForAsync(() => seen.Count == 2);
        Assert.Equal([new CustomerRegistered("c-1", "Ada Lovelace"), new CustomerRegistered("c-2", "Grace Hopper")], seen.OrderBy(c => c.CustomerId));
    }

    [Fact]
    public async Task A_refused_publish_throws_with_Kafkas_error_code()
    {
        Assert.True(Broker.CreateTopic("tiny", 1, new Dictionary<string, string> { ["max.message.bytes"] = "1024" }).Succeeded);
        var host = await StartHostAsync(consume: false);

        var refused = await Assert.ThrowsAsync<PublishException>(() => host.Services.GetRequiredService<IEventPublisher>().PublishAsync(new OrderPlaced(new string('x', 5_000), 1, 1), new PublishOptions { Topic = "tiny" }));

        Assert.Equal(ErrorCode.MessageTooLarge, refused.ErrorCode);
    }

    [Fact]
    public async Task Metrics_count_what_was_sent_consumed_retried_and_dead_lettered()
    {
        var measured = new System.Collections.Concurrent.ConcurrentDictionary<string, double>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == HeraldTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Count(System.Diagnostics.Metrics.Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "messaging.destination.name" && Equals(tag.Value, Topic))
                {
                    measured.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Count(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Count(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Count(instrument, 1, tags)); // histogram: count the records
        listener.Start();
        Recorder.Fail = e => e.OrderId == "bad" ? new TimeoutException("down") : null;
        var host = await StartHostAsync(configure: c =>
        {
            c.Retries = 1;
            c.RetryDelay = TimeSpan.FromMilliseconds(5);
            c.LagInterval = TimeSpan.FromMilliseconds(50);
        });

        await host.Services.GetRequiredService<IEventPublisher>().PublishBatchAsync([new OrderPlaced("good", 1, 1), new OrderPlaced("bad", 2, 1)]);

        await WaitForAsync(() => measured.GetValueOrDefault("herald.client.dead_lettered") == 1 && measured.GetValueOrDefault("messaging.process.duration") == 2);
        listener.RecordObservableInstruments();
        Assert.Equal(2, measured["messaging.client.sent.messages"]);
        Assert.Equal(2, measured["messaging.client.consumed.messages"]);
        Assert.Equal(1, measured["herald.client.retries"]);
        Assert.Equal(0, measured["herald.client.breaker.state"]); // closed
    }

    [Fact]
    public async Task A_second_member_joining_mid_stream_shares_the_partitions_and_nothing_is_skipped()
    {
        Recorder.Before = (_, token) => Task.Delay(5, token);
        var first = await StartHostAsync(configure: c => c.MaxConcurrency = 2);
        var publisher = first.Services.GetRequiredService<IEventPublisher>();
        await publisher.PublishBatchAsync(Enumerable.Range(0, 150).Select(i => new OrderPlaced($"k{i % 30}", i, i)));
        await Recorder.WaitUntilAsync(h => h.Count >= 20);

        await StartHostAsync(configure: c => c.MaxConcurrency = 2); // the group rebalances over both
        await publisher.PublishBatchAsync(Enumerable.Range(150, 150).Select(i => new OrderPlaced($"k{i % 30}", i, i)));

        await Recorder.WaitUntilAsync(h => h.Select(e => e.Event.Sequence).Distinct().Count() == 300, TimeSpan.FromSeconds(90));
        foreach (var key in Recorder.Snapshot().GroupBy(h => h.Event.OrderId))
        {
            var firstTimes = key.Select(h => h.Event.Sequence).Distinct().ToList(); // a redelivery may repeat, never reorder
            Assert.Equal(firstTimes.Order(), firstTimes);
        }
    }

    [Fact]
    public async Task Failure_rules_discard_or_dead_letter_at_once_by_exception_type()
    {
        Recorder.Fail = e => e.OrderId switch
        {
            "invalid" => new ArgumentException("no such product"),
            "ignored" => new InvalidOperationException("stale"),
            _ => null,
        };
        var host = await StartHostAsync(configure: c =>
        {
            c.Failures.On<ArgumentException>(FailureAction.DeadLetter).On<InvalidOperationException>(FailureAction.Discard);
            c.RetryDelay = TimeSpan.FromMilliseconds(5);
        });
        var publisher = host.Services.GetRequiredService<IEventPublisher>();

        await publisher.PublishAsync(new OrderPlaced("invalid", 1, 1));
        await publisher.PublishAsync(new OrderPlaced("ignored", 2, 1));
        await publisher.PublishAsync(new OrderPlaced("fine", 3, 1));

        await Recorder.WaitUntilAsync(h => h.Any(e => e.Event.OrderId == "fine"));
        var letter = (await ReadAsync($"{Topic}.{Group}.dlq", "dlq-reader", 1)).Single();
        Assert.Equal(("invalid", "1"), (letter.Key, Header(letter, DeadLetterHeaders.Attempts)));
        Assert.Single(Recorder.Attempts, a => a.Event.OrderId == "ignored");
    }

    [Fact]
    public async Task Poison_records_go_straight_to_the_dead_letter_topic_and_never_stop_the_consumer()
    {
        var host = await StartHostAsync();
        var publisher = host.Services.GetRequiredService<IEventPublisher>();
        var envelope = CloudEventHeaders.Write(new EventMetadata(Guid.CreateVersion7(), new EventTypeName("OrderPlaced", 1), "/test", DateTimeOffset.UtcNow, "poison", null, null, null, null));

        var poison = await publisher.PublishRawAsync(Topic, "poison", Encoding.UTF8.GetBytes("{not json"), envelope);
        var plain = await publisher.PublishRawAsync(Topic, "plain", Encoding.UTF8.GetBytes("not a cloud event"));
        await publisher.PublishAsync(new OrderPlaced("after", 1, 1));

        await Recorder.WaitUntilAsync(h => h.Any(e => e.Event.OrderId == "after"));
        var letters = await ReadAsync($"{Topic}.{Group}.dlq", "dlq-reader", 2);
        Assert.Equal(["plain", "poison"], letters.Select(l => l.Key).Order());
        Assert.All(letters, l => Assert.Equal(typeof(InvalidEventException).FullName, Header(l, DeadLetterHeaders.ExceptionType)));
        Assert.Equal([poison.Offset, plain.Offset], letters.OrderBy(l => l.Key == "plain").Select(l => long.Parse(Header(l, DeadLetterHeaders.OriginalOffset)!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("not a cloud event", Encoding.UTF8.GetString(letters.Single(l => l.Key == "plain").Value.Span)); // stored as given
        Assert.All(letters, l => Assert.Equal("0", Header(l, DeadLetterHeaders.Attempts)));
    }

    [Fact]
    public async Task An_event_delivered_twice_takes_effect_once()
    {
        var host = await StartHostAsync();
        var publisher = host.Services.GetRequiredService<IEventPublisher>();
        var id = Guid.CreateVersion7();

        await publisher.PublishAsync(new OrderPlaced("o-1", 1, 1), new PublishOptions { Id = id });
        await publisher.PublishAsync(new OrderPlaced("o-1", 1, 1), new PublishOptions { Id = id }); // a producer retry, say
        await publisher.PublishAsync(new OrderPlaced("o-1", 2, 1));

        await Recorder.WaitUntilAsync(h => h.Any(e => e.Event.Sequence == 2));
        Assert.Equal([1, 2], Recorder.Snapshot().Select(h => h.Event.Sequence));
    }

    [Fact]
    public async Task A_duplicate_that_arrives_after_a_restart_is_still_skipped()
    {
        var id = Guid.CreateVersion7();
        var first = await StartHostAsync();
        await first.Services.GetRequiredService<IEventPublisher>().PublishAsync(new OrderPlaced("o-1", 1, 1), new PublishOptions { Id = id });
        await Recorder.WaitUntilAsync(h => h.Count == 1);
        await StopAsync(first);
        _hosts.Remove(first);

        var second = await StartHostAsync(); // a new process: nothing in memory
        await second.Services.GetRequiredService<IEventPublisher>().PublishAsync(new OrderPlaced("o-1", 1, 1), new PublishOptions { Id = id });
        await second.Services.GetRequiredService<IEventPublisher>().PublishAsync(new OrderPlaced("o-1", 2, 1));

        await Recorder.WaitUntilAsync(h => h.Any(e => e.Event.Sequence == 2));
        Assert.Equal([1, 2], Recorder.Snapshot().Select(h => h.Event.Sequence));
        Assert.Equal(16L * 1024 * 1024, Broker.DescribeTopic($"__herald-processed.{Group}")!.Config.RetentionByteLimit); // bounded, not growing for ever
    }

    [Fact]
    public async Task A_crash_mid_processing_redelivers_everything_unfinished_and_loses_nothing()
    {
        var stuck = new TaskCompletionSource();
        Recorder.Before = async (e, token) =>
        {
            if (e.Sequence == 5)
            {
                await stuck.Task.WaitAsync(token); // the process dies while handling this one
            }
        };
        var first = await StartHostAsync(configure: c => c.DrainTimeout = TimeSpan.FromMilliseconds(100));
        var publisher = first.Services.GetRequiredService<IEventPublisher>();
        await publisher.PublishBatchAsync(Enumerable.Range(0, 10).Select(i => new OrderPlaced("same-key", i, i)));
        await Recorder.WaitUntilAsync(h => h.Count == 5);

        await StopAsync(first);
        _hosts.Remove(first);
        Assert.Equal([0, 1, 2, 3, 4], Recorder.Snapshot().Select(h => h.Event.Sequence));

        Recorder.Before = (_, _) => Task.CompletedTask;
        await StartHostAsync();
        await Recorder.WaitUntilAsync(h => h.Count >= 10);
        Assert.Equal(Enumerable.Range(0, 10), Recorder.Snapshot().Select(h => h.Event.Sequence).Distinct().Order());
        Assert.Equal(5, Recorder.Snapshot().Skip(5).First().Event.Sequence); // resumed at the unfinished event, in order
    }

    [Fact]
    public async Task The_trace_continues_from_publisher_to_handler()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == HeraldTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var host = await StartHostAsync();
        using var request = new Activity("http-request").SetIdFormat(ActivityIdFormat.W3C).Start();

        await host.Services.GetRequiredService<IEventPublisher>().PublishAsync(new OrderPlaced("traced", 1, 1));
        request.Stop();

        await Recorder.WaitUntilAsync(h => h.Count == 1);
        Assert.Equal(request.TraceId.ToString(), Recorder.Snapshot().Single().TraceId);
        await WaitForAsync(() => { lock (spans) { return spans.Any(s => s.Kind == ActivityKind.Consumer); } });
        Activity send, process;
        lock (spans)
        {
            send = spans.Single(s => s.Kind == ActivityKind.Producer && s.TraceId == request.TraceId);
            process = spans.Single(s => s.Kind == ActivityKind.Consumer && s.TraceId == request.TraceId);
        }

        Assert.Equal($"send {Topic}", send.DisplayName);
        Assert.Equal($"process {Topic}", process.DisplayName);
        Assert.Equal(send.SpanId, process.ParentSpanId);
        Assert.Contains(process.Links, l => l.Context.SpanId == send.SpanId);
        Assert.Equal(Group, process.GetTagItem("messaging.consumer.group.name"));
        Assert.Equal("process", process.GetTagItem("messaging.operation.type"));
        Assert.Equal(Topic, process.GetTagItem("messaging.destination.name"));
        Assert.NotNull(process.GetTagItem("messaging.destination.partition.id"));
        Assert.Equal(send.GetTagItem("messaging.message.id"), process.GetTagItem("messaging.message.id"));
    }

    [Fact]
    public async Task Lag_is_what_the_group_has_not_processed_yet()
    {
        var publisherOnly = await StartHostAsync(consume: false);
        await publisherOnly.Services.GetRequiredService<IEventPublisher>().PublishBatchAsync(Enumerable.Range(0, 7).Select(i => new OrderPlaced($"k{i}", i, i)));
        var transport = await Transport(publisherOnly);

        Assert.Equal(7, (await transport.PositionsAsync(Topic, Group, CancellationToken.None)).Sum(p => p.Lag));

        var consumer = await StartHostAsync(configure: c =>
        {
            c.CommitInterval = TimeSpan.FromMilliseconds(50);
            c.LagInterval = TimeSpan.FromMilliseconds(50);
        });
        await Recorder.WaitUntilAsync(h => h.Count == 7);
        await WaitForAsync(async () => (await transport.PositionsAsync(Topic, Group, CancellationToken.None)).Sum(p => p.Lag) == 0);

        // The consumer's own figures, as metrics and the health check see them: per partition, in events and in time.
        var status = consumer.Services.GetRequiredService<HeraldConsumers>();
        await WaitForAsync(() => status.All.Values.SingleOrDefault() is { Lag: 0, Partitions.Count: 3, AgeByPartition.Count: 3 } s && s.OldestUnfinishedAge == TimeSpan.Zero);
    }

    [Fact]
    public async Task Events_of_unknown_types_are_skipped_and_newer_versions_dead_lettered()
    {
        var host = await StartHostAsync(extra: h => h.MapTopic<PaymentProcessed>(Topic));
        var publisher = host.Services.GetRequiredService<IEventPublisher>();
        var transport = await Transport(host);
        var newer = CloudEventHeaders.Write(new EventMetadata(Guid.CreateVersion7(), new EventTypeName("OrderPlaced", 2), "/future", DateTimeOffset.UtcNow, "v2", null, null, null, null));

        await publisher.PublishAsync(new PaymentProcessed("o-1", 5m));
        await transport.PublishAsync(new OutgoingRecord(Topic, "v2", newer, Encoding.UTF8.GetBytes("{\"orderId\":\"v2\"}")), CancellationToken.None);
        await publisher.PublishAsync(new OrderPlaced("known", 1, 1));

        await Recorder.WaitUntilAsync(h => h.Any(e => e.Event.OrderId == "known"));
        var letter = (await ReadAsync($"{Topic}.{Group}.dlq", "dlq-reader", 1)).Single();
        Assert.Equal("v2", letter.Key);
        Assert.Contains("newer", Header(letter, DeadLetterHeaders.ExceptionMessage), StringComparison.Ordinal);
        Assert.Single(Recorder.Snapshot());
    }

    protected async Task<IHost> StartHostAsync(Action<ConsumerOptions>? configure = null, Action<HeraldBuilder>? extra = null, bool consume = true, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        services?.Invoke(builder.Services);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(Recorder);
        builder.Configuration["Herald:Source"] = "/herald-tests";
        builder.Services.AddHerald(herald =>
        {
            UseTransport(herald);
            herald.MapTopic<OrderPlaced>(Topic);
            extra?.Invoke(herald);
            if (consume)
            {
                herald.AddConsumer<OrderHandler>(Topic, Group, options =>
                {
                    options.CommitInterval = TimeSpan.FromMilliseconds(100);
                    configure?.Invoke(options);
                });
            }
        });
        var host = builder.Build();
        await host.StartAsync();
        _hosts.Add(host);
        return host;
    }

    /// <summary>Disposes a host that has been stopped, so the suite does not stop it again.</summary>
    protected async Task DisposeHostAsync(IHost host)
    {
        _hosts.Remove(host);
        await ((IAsyncDisposable)host).DisposeAsync();
    }

    private static async Task StopAsync(IHost host)
    {
        await host.StopAsync();
        if (host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }

    private protected static async Task<IEventTransport> Transport(IHost host) => await host.Services.GetRequiredService<TransportProvider>().GetAsync(CancellationToken.None);

    /// <summary>Reads <paramref name="count"/> records of a topic as a group of its own.</summary>
    protected async Task<List<IncomingRecord>> ReadAsync(string topic, string group, int count)
    {
        var transport = await Transport(_hosts[0]);
        await using var consumer = transport.Subscribe(topic, group);
        var records = new List<IncomingRecord>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (records.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Read {records.Count} of {count} records from {topic}.");
            records.AddRange(await consumer.PollAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None));
        }

        return records;
    }

    protected static string? Header(IncomingRecord record, string name) => CloudEventHeaders.Find(record.Headers, name);

    protected static async Task WaitForAsync(Func<bool> condition) => await WaitForAsync(() => Task.FromResult(condition()));

    protected static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out.");
            await Task.Delay(20);
        }
    }
}

/// <summary>The compliance suite on the embedded broker.</summary>
public sealed class EmbeddedTransportCompliance : TransportCompliance
{
    protected override Task StartAsync(HeraldBroker broker) => Task.CompletedTask;

    protected override Task StopAsync() => Task.CompletedTask;

    protected override void UseTransport(HeraldBuilder herald) => herald.UseEmbedded(Broker);
}

/// <summary>The compliance suite through Confluent.Kafka, against Herald's Kafka listener on a loopback socket.</summary>
public sealed class KafkaTransportCompliance : TransportCompliance
{
    private KafkaServer? _server;

    protected override Task StartAsync(HeraldBroker broker)
    {
        _server = KafkaServer.Start(broker, new KafkaServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
        return Task.CompletedTask;
    }

    protected override async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    protected override void UseTransport(HeraldBuilder herald) => herald.UseKafka(_server!.BootstrapServers, configureConsumer: ConfigureConsumer);

    private Action<Confluent.Kafka.ConsumerConfig>? ConfigureConsumer { get; set; }

    // Work that outlasts max.poll.interval.ms by half again: a member that stopped polling meanwhile would be expelled.
    private static readonly TimeSpan BeyondPollInterval = TimeSpan.FromMilliseconds(PollIntervalMs * 1.5);

    private const int PollIntervalMs = 3_000;

    private static void ShortSessions(Confluent.Kafka.ConsumerConfig config)
    {
        config.SessionTimeoutMs = PollIntervalMs;
        config.HeartbeatIntervalMs = 500;
        config.MaxPollIntervalMs = PollIntervalMs;
    }

    [Fact]
    public async Task A_handler_slower_than_the_max_poll_interval_does_not_get_the_member_expelled()
    {
        ConfigureConsumer = ShortSessions;
        Recorder.Before = (e, token) => e.Sequence == 1 ? Task.Delay(BeyondPollInterval, token) : Task.CompletedTask;
        var host = await StartHostAsync();

        await host.Services.GetRequiredService<IEventPublisher>().PublishBatchAsync([new OrderPlaced("slow", 1, 1), new OrderPlaced("other", 2, 1)]);

        await Recorder.WaitUntilAsync(h => h.Any(e => e.Event.Sequence == 1));
        Assert.Single(Recorder.Attempts, a => a.Event.Sequence == 1); // expelled, it would have been cancelled and run again
        Assert.Single(Recorder.Snapshot(), h => h.Event.Sequence == 2);
    }

    [Fact]
    public async Task A_host_stops_within_its_drain_timeout_when_the_broker_has_died()
    {
        // Regression: the last commit waited 30 s for a broker that was gone, and leaving the group longer still.
        var host = await StartHostAsync(configure: c => c.DrainTimeout = TimeSpan.FromSeconds(1));
        await host.Services.GetRequiredService<IEventPublisher>().PublishBatchAsync([new OrderPlaced("o-1", 1, 1), new OrderPlaced("o-2", 2, 1)]);
        await Recorder.WaitUntilAsync(h => h.Count == 2);

        await _server!.DisposeAsync();
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await host.StopAsync();

        // DrainTimeout, then at most 2 s for the last commit and 2 s for leaving the group, and some slack.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(8), $"stopping took {stopping.Elapsed}");

        // Disposing gives the last processed ids 2 s and the producer's flush 10 s; it waited 5 minutes for an id write.
        await DisposeHostAsync(host).WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_pull_loop_slower_than_the_max_poll_interval_with_a_full_queue_keeps_its_membership()
    {
        ConfigureConsumer = ShortSessions;
        var host = await StartHostAsync(consume: false);
        const int Events = 12_000; // more than the 10,000 the hand-over queue holds
        await host.Services.GetRequiredService<IEventPublisher>().PublishBatchAsync(Enumerable.Range(0, Events).Select(i => new OrderPlaced("one-key", i, i)));

        var seen = new List<int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await foreach (var received in host.Services.GetRequiredService<EventStream>().ReadAsync<OrderPlaced>(Topic, "slow-reader", timeout.Token))
        {
            if (seen.Count == 0)
            {
                await Task.Delay(BeyondPollInterval); // the queue fills; polling must go on meanwhile
            }

            seen.Add(received.Event.Sequence);
            if (seen.Count == Events)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(0, Events), seen); // once each, in order: no expulsion, no redelivery
    }
}

/// <summary>Registration and options: mistakes fail when the host starts, with the setting named.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public async Task Invalid_consumer_options_stop_the_host_from_starting()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { InMemory = true });
        builder.Services.AddSingleton(new Recorder());
        builder.Services.AddHerald(h => h.UseEmbedded(broker).AddConsumer<OrderHandler>("orders", "billing", c => c.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(10)));
        using var host = builder.Build();

        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("BreakDuration", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Herald:Consumers:orders/billing:MaxConcurrency", "0", "MaxConcurrency")]
    [InlineData("Herald:Consumers:orders/billing:DrainTimeout", "-00:00:01", "DrainTimeout")]
    [InlineData("Herald:Consumers:orders/billing:LagInterval", "00:00:00", "LagInterval")]
    [InlineData("Herald:Consumers:orders/billing:CircuitBreaker:MinimumThroughput", "1", "MinimumThroughput")]
    [InlineData("Herald:DefaultPartitions", "0", "DefaultPartitions")]
    [InlineData("Herald:Source", " ", "Source")]
    public async Task Each_invalid_setting_stops_the_host_with_the_setting_named(string key, string value, string named)
    {
        // Regression: the [Range] and [Required] attributes were not enforced, and restated rules said "Intervals must be
        // positive" without naming which.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration[key] = value;
        await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { InMemory = true });
        builder.Services.AddSingleton(new Recorder());
        builder.Services.AddHerald(h => h.UseEmbedded(broker).AddConsumer<OrderHandler>("orders", "billing"));
        using var host = builder.Build();

        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_processed_event_store_delays_events_but_never_dead_letters_them()
    {
        await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { InMemory = true });
        var recorder = new Recorder();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(recorder);
        builder.Services.AddHerald(h => h.UseEmbedded(broker).MapTopic<OrderPlaced>("orders").UseProcessedEventStore<FlakyStore>().AddConsumer<OrderHandler>("orders", "billing"));
        using var host = builder.Build();
        await host.StartAsync();

        await host.Services.GetRequiredService<IEventPublisher>().PublishAsync(new OrderPlaced("o-1", 1, 1));

        await recorder.WaitUntilAsync(h => h.Count == 1);
        Assert.False(broker.TopicExists("orders.billing.dlq"));
        await host.StopAsync();
    }

    /// <summary>Fails its first three calls, as a database that blips.</summary>
    public sealed class FlakyStore : IProcessedEventStore
    {
        private int _calls;

        public ValueTask<bool> IsProcessedAsync(string group, Guid eventId, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) <= 2 ? throw new TimeoutException("blip") : ValueTask.FromResult(false);

        public ValueTask MarkProcessedAsync(string group, Guid eventId, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) <= 3 ? throw new TimeoutException("blip") : ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Without_a_transport_consumers_refuse_to_start_and_publishing_says_what_is_missing()
    {
        // An application that only uses the event store registers Herald for its event names, and starts.
        var plain = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        plain.Services.AddHerald(h => h.AddEvent<OrderPlaced>().MapTopic<OrderPlaced>("orders"));
        using (var host = plain.Build())
        {
            await host.StartAsync();
            var publish = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Services.GetRequiredService<IEventPublisher>().PublishAsync(new OrderPlaced("o-1", 1, 1m)));
            Assert.Contains("UseEmbedded", publish.Message, StringComparison.Ordinal);
            await host.StopAsync();
        }

        var consuming = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        consuming.Services.AddHerald(h => h.AddConsumer<OrderHandler>("orders", "billing"));
        using var refused = consuming.Build();
        var start = await Assert.ThrowsAsync<InvalidOperationException>(() => refused.StartAsync());
        Assert.Contains("Consumer 'orders/billing'", start.Message, StringComparison.Ordinal);
        Assert.Contains("UseKafka", start.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topics_must_be_legal()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>(() => services.AddHerald(h => h.UseKafka("localhost:9092").MapTopic<OrderPlaced>("bad topic!")));
    }

    [Fact]
    public void Configuration_binds_consumer_settings_by_topic_and_group()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["Herald:Consumers:orders/billing:MaxConcurrency"] = "42";
        builder.Configuration["Herald:DefaultPartitions"] = "6";
        builder.Services.AddHerald(h => h.UseKafka("localhost:9092").AddConsumer<OrderHandler>("orders", "billing"));
        using var host = builder.Build();

        Assert.Equal(42, host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<ConsumerOptions>>().Get("orders/billing").MaxConcurrency);
        Assert.Equal(6, host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HeraldOptions>>().Value.DefaultPartitions);
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(OrderPlaced))]
public sealed partial class ShopJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>Bodies through a source-generated System.Text.Json context, with no reflection.</summary>
public sealed class SourceGeneratedJsonTests
{
    [Fact]
    public async Task A_source_generated_context_writes_and_reads_the_bodies()
    {
        await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { InMemory = true });
        var recorder = new Recorder();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(recorder);
        builder.Services.Configure<HeraldOptions>(o => o.Json = ShopJson.Default.Options);
        builder.Services.AddHerald(h => h.UseEmbedded(broker).MapTopic<OrderPlaced>("orders").AddConsumer<OrderHandler>("orders", "billing"));
        using var host = builder.Build();
        await host.StartAsync();

        await host.Services.GetRequiredService<IEventPublisher>().PublishAsync(new OrderPlaced("o-1", 7, 9.5m));

        await recorder.WaitUntilAsync(h => h.Count == 1);
        Assert.Equal(new OrderPlaced("o-1", 7, 9.5m), recorder.Snapshot().Single().Event);
        var stored = new System.Buffers.ArrayBufferWriter<byte>();
        var partition = Enumerable.Range(0, 3).First(p => broker.ListOffset("orders", p, OffsetQuery.Latest).Offset > 0);
        await broker.FetchAsync("orders", partition, 0, 1 << 20, stored);
        var body = Storage.RecordBatchReader.ReadAll(stored.WrittenMemory).Single().Records.Single().Value!.Value;
        Assert.Equal("{\"order_id\":\"o-1\",\"sequence\":7,\"total\":9.5}", Encoding.UTF8.GetString(body.Span)); // the context's naming policy
        await host.StopAsync();
    }
}

/// <summary>The embedded transport batches what is published to a partition while an append waits for its fsync.</summary>
public sealed class EmbeddedBatchingTests
{
    [Fact]
    public async Task Concurrent_publishes_to_a_partition_share_record_batches_and_keep_their_order()
    {
        await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { InMemory = true });
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHerald(h => h.UseEmbedded(broker).MapTopic<OrderPlaced>("orders"));
        using var host = builder.Build();
        await host.StartAsync();
        const int Events = 3_000;

        var receipts = await host.Services.GetRequiredService<IEventPublisher>().PublishBatchAsync(Enumerable.Range(0, Events).Select(i => new OrderPlaced("one-key", i, i)));

        Assert.Equal(Enumerable.Range(0, Events).Select(i => (long)i), receipts.Select(r => r.Offset));
        var stored = new System.Buffers.ArrayBufferWriter<byte>();
        var partition = receipts[0].Partition;
        for (var offset = 0L; offset < Events;)
        {
            var fetched = await broker.FetchAsync("orders", partition, offset, 1 << 20, stored);
            offset = fetched.HighWatermark > offset && fetched.BytesWritten > 0 ? Storage.RecordBatchReader.ReadAll(stored.WrittenMemory).Last().Header.NextOffset : Events;
        }

        var batches = Storage.RecordBatchReader.ReadAll(stored.WrittenMemory);
        Assert.InRange(batches.Count, 2, Events / 10); // batched, and not all in one
        Assert.Equal(Enumerable.Range(0, Events).Select(i => (long)i), batches.SelectMany(b => b.Records).Select(r => r.Offset));
        await host.StopAsync();
    }
}
