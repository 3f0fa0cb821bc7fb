using System.Text;

namespace Herald.EventSourcing.Tests;

/// <summary>What every event store must do, embedded or on PostgreSQL.</summary>
public abstract class EventStoreCompliance : IAsyncLifetime
{
    private IEventStore? _store;

    protected IEventStore Store => _store ?? throw new InvalidOperationException("Not opened.");

    /// <summary>Opens the store under test, on the same data each time within one test.</summary>
    protected abstract Task<IEventStore> OpenAsync();

    public async Task InitializeAsync() => _store = await OpenAsync();

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    /// <summary>Closes the store and opens it again on the same data, as a restart would.</summary>
    protected async Task RestartAsync()
    {
        await Store.DisposeAsync();
        _store = await OpenAsync();
    }

    protected static EventData Event(string type = "OrderPlaced.v1", string body = "{}", Guid? id = null) =>
        new(id ?? Guid.CreateVersion7(), type, Encoding.UTF8.GetBytes(body));

    protected async Task<List<RecordedEvent>> ReadAsync(string stream, Direction direction = Direction.Forwards, long? from = null, long max = long.MaxValue)
    {
        var events = new List<RecordedEvent>();
        await foreach (var e in Store.ReadStreamAsync(stream, direction, from, max))
        {
            events.Add(e);
        }

        return events;
    }

    protected async Task<List<RecordedEvent>> ReadAllAsync(long from = 0, EventFilter? filter = null)
    {
        var events = new List<RecordedEvent>();
        await foreach (var e in Store.ReadAllAsync(from, filter))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public async Task Events_read_back_with_versions_positions_and_metadata()
    {
        var placed = Event(body: "{\"orderId\":\"42\"}") with { CorrelationId = "corr-1", CausationId = "cmd-1", TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
        var paid = Event("OrderPaid.v2", "{\"amount\":10}");

        var result = await Store.AppendAsync("order-42", ExpectedVersion.NoStream, [placed, paid]);
        var read = await ReadAsync("order-42");

        Assert.Equal(1, result.NextExpectedVersion);
        Assert.Equal([0L, 1L], read.Select(e => e.Version));
        Assert.Equal([placed.EventId, paid.EventId], read.Select(e => e.EventId));
        Assert.Equal(["OrderPlaced.v1", "OrderPaid.v2"], read.Select(e => e.Type));
        Assert.Equal("{\"orderId\":\"42\"}", Encoding.UTF8.GetString(read[0].Data.Span));
        Assert.Equal(("corr-1", "cmd-1", placed.TraceParent), (read[0].CorrelationId, read[0].CausationId, read[0].TraceParent));
        Assert.Null(read[1].CorrelationId);
        Assert.True(read[0].Position < read[1].Position);
        Assert.Equal(result.Position, read[1].Position);
        Assert.InRange(read[0].Timestamp, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(1, await Store.GetStreamVersionAsync("order-42"));
        Assert.Null(await Store.GetStreamVersionAsync("order-43"));
        Assert.Empty(await ReadAsync("order-43"));
    }

    [Fact]
    public async Task Expected_versions_are_checked_and_a_conflict_writes_nothing()
    {
        await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [Event(), Event()]);

        var stale = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("order-1", 0, [Event()]));
        var again = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("order-1", ExpectedVersion.NoStream, [Event()]));
        var missing = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("order-2", ExpectedVersion.StreamExists, [Event()]));
        var ahead = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("order-2", 3, [Event()]));

        Assert.Equal((1L, 1L, (long?)null, (long?)null), (stale.ActualVersion!.Value, again.ActualVersion!.Value, missing.ActualVersion, ahead.ActualVersion));
        Assert.Equal("order-1", stale.StreamId);
        Assert.Equal(2, (await ReadAllAsync()).Count);

        Assert.Equal(2, (await Store.AppendAsync("order-1", 1, [Event()])).NextExpectedVersion);
        Assert.Equal(3, (await Store.AppendAsync("order-1", ExpectedVersion.StreamExists, [Event()])).NextExpectedVersion);
        Assert.Equal(4, (await Store.AppendAsync("order-1", ExpectedVersion.Any, [Event()])).NextExpectedVersion);
        Assert.Equal(0, (await Store.AppendAsync("order-3", ExpectedVersion.Any, [Event()])).NextExpectedVersion);
    }

    [Fact]
    public async Task Sending_the_same_events_again_returns_the_first_result_and_writes_nothing()
    {
        var batch = new[] { Event(), Event(), Event() };
        var first = await Store.AppendAsync("order-1", ExpectedVersion.NoStream, batch);
        await Store.AppendAsync("order-1", 2, [Event()]);

        var again = await Store.AppendAsync("order-1", ExpectedVersion.NoStream, batch);
        var anyAgain = await Store.AppendAsync("order-1", ExpectedVersion.Any, batch);
        var prefix = await Store.AppendAsync("order-1", ExpectedVersion.NoStream, batch[..2]);

        Assert.Equal(first, again);
        Assert.Equal(first, anyAgain);
        Assert.Equal(1, prefix.NextExpectedVersion);
        Assert.Equal(4, (await ReadAsync("order-1")).Count);
    }

    [Fact]
    public async Task A_retry_that_goes_past_what_was_stored_writes_only_the_rest()
    {
        var a = Event();
        var b = Event();
        var c = Event();
        await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [a, b]);

        var result = await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [a, b, c]);

        Assert.Equal(2, result.NextExpectedVersion);
        Assert.Equal([a.EventId, b.EventId, c.EventId], (await ReadAsync("order-1")).Select(e => e.EventId));
    }

    [Fact]
    public async Task Stored_ids_in_another_place_are_a_conflict_not_a_duplicate()
    {
        var a = Event();
        var b = Event();
        await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [a, b]);
        await Store.AppendAsync("order-1", 1, [Event()]);

        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("order-1", 0, [a])); // a is at 0, not 1
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("order-2", ExpectedVersion.Any, [a]));
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("order-1", ExpectedVersion.NoStream, [a, b, Event()])); // the stream went on
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync("order-1", ExpectedVersion.Any, [Event(), b]));
        Assert.Equal(3, (await ReadAllAsync()).Count);
    }

    [Fact]
    public async Task Duplicates_are_still_recognised_after_a_restart()
    {
        var batch = new[] { Event(), Event() };
        var first = await Store.AppendAsync("order-1", ExpectedVersion.NoStream, batch);

        await RestartAsync();

        Assert.Equal(first, await Store.AppendAsync("order-1", ExpectedVersion.NoStream, batch));
        Assert.Equal(2, (await Store.AppendAsync("order-1", 1, [Event()])).NextExpectedVersion);
        Assert.Equal(3, (await ReadAsync("order-1")).Count);
    }

    [Fact]
    public async Task Events_kept_by_the_reader_stay_intact_after_it_reads_on()
    {
        for (var i = 0; i < 50; i++)
        {
            await Store.AppendAsync(i % 2 == 0 ? "order-1" : "order-2", ExpectedVersion.Any, [Event(body: $"{{\"n\":{i},\"pad\":\"{new string('x', i * 100)}\"}}")]);
        }

        var stream = await ReadAsync("order-1");
        var all = await ReadAllAsync();

        Assert.Equal(Enumerable.Range(0, 25).Select(i => i * 2), stream.Select(e => System.Text.Json.JsonDocument.Parse(e.Data).RootElement.GetProperty("n").GetInt32()));
        Assert.Equal(Enumerable.Range(0, 50), all.Select(e => System.Text.Json.JsonDocument.Parse(e.Data).RootElement.GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task Streams_read_forwards_and_backwards_from_a_version_up_to_a_count()
    {
        for (var i = 0; i < 10; i++)
        {
            await Store.AppendAsync("order-1", ExpectedVersion.Any, [Event(body: $"{{\"n\":{i}}}")]);
        }

        Assert.Equal([3L, 4L, 5L], (await ReadAsync("order-1", Direction.Forwards, 3, 3)).Select(e => e.Version));
        Assert.Equal([9L, 8L], (await ReadAsync("order-1", Direction.Backwards, null, 2)).Select(e => e.Version));
        Assert.Equal([4L, 3L, 2L, 1L, 0L], (await ReadAsync("order-1", Direction.Backwards, 4)).Select(e => e.Version));
        Assert.Empty(await ReadAsync("order-1", Direction.Forwards, 10));
        Assert.Equal([9L], (await ReadAsync("order-1", Direction.Backwards, 100, 1)).Select(e => e.Version));
    }

    [Fact]
    public async Task All_reads_every_stream_in_global_order_with_filters()
    {
        await Store.AppendAsync("order-1", ExpectedVersion.Any, [Event("OrderPlaced.v1")]);
        await Store.AppendAsync("customer-7", ExpectedVersion.Any, [Event("CustomerRegistered.v1")]);
        await Store.AppendAsync("order-2", ExpectedVersion.Any, [Event("OrderPlaced.v2"), Event("OrderPaid.v1")]);

        var all = await ReadAllAsync();
        var fromThird = await ReadAllAsync(all[2].Position);

        Assert.Equal(["order-1", "customer-7", "order-2", "order-2"], all.Select(e => e.StreamId));
        Assert.Equal(all.Select(e => e.Position).Order(), all.Select(e => e.Position));
        Assert.Equal(all.Skip(2).Select(e => e.EventId), fromThird.Select(e => e.EventId));
        Assert.Equal(["order-1", "order-2", "order-2"], (await ReadAllAsync(0, EventFilter.ForStreams("order-"))).Select(e => e.StreamId));
        Assert.Equal(["OrderPlaced.v1", "OrderPlaced.v2"], (await ReadAllAsync(0, EventFilter.ForTypes("OrderPlaced"))).Select(e => e.Type));
        Assert.Equal(["OrderPlaced.v2"], (await ReadAllAsync(0, EventFilter.ForTypes("OrderPlaced.v2"))).Select(e => e.Type));
    }

    [Fact]
    public async Task Racing_writers_each_win_one_version_and_the_rest_are_told_the_actual_version()
    {
        const int Writers = 16;
        const int Rounds = 20;
        var wins = 0;
        var conflicts = 0;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                var current = await Store.GetStreamVersionAsync("hot");
                try
                {
                    await Store.AppendAsync("hot", current is { } v ? ExpectedVersion.Exactly(v) : ExpectedVersion.NoStream, [Event()]);
                    Interlocked.Increment(ref wins);
                }
                catch (WrongExpectedVersionException conflict)
                {
                    Assert.NotEqual(current, conflict.ActualVersion);
                    Interlocked.Increment(ref conflicts);
                }
            }
        })));

        var stream = await ReadAsync("hot");
        Assert.Equal(Writers * Rounds, wins + conflicts);
        Assert.Equal(wins, stream.Count);
        Assert.Equal(Enumerable.Range(0, wins).Select(v => (long)v), stream.Select(e => e.Version));
        Assert.Equal(wins, stream.Select(e => e.EventId).Distinct().Count());
    }

    [Fact]
    public async Task Bad_appends_are_refused_before_anything_is_written()
    {
        var same = Guid.CreateVersion7();
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync("order-1", ExpectedVersion.Any, []));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync("order-1", ExpectedVersion.Any, [Event(id: same), Event(id: same)]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync("order-1", ExpectedVersion.Any, [Event(id: Guid.Empty)]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync("order-1", ExpectedVersion.Any, [Event(type: "")]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync("$all", ExpectedVersion.Any, [Event()]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync("", ExpectedVersion.Any, [Event()]));
        Assert.Empty(await ReadAllAsync());
    }

    [Fact]
    public async Task A_subscription_reads_history_then_goes_live_with_no_gap_and_no_repeat()
    {
        var written = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var e = Event();
            written.Add(e.EventId);
            await Store.AppendAsync($"order-{i}", ExpectedVersion.NoStream, [e]);
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<RecordedEvent>();
        var all = new TaskCompletionSource();
        var subscription = Task.Run(async () =>
        {
            await foreach (var e in Store.SubscribeToAllAsync(0, null, stop.Token))
            {
                received.Add(e);
                if (received.Count == 45)
                {
                    all.TrySetResult();
                }
            }
        });

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var ids = new List<Guid>();
            for (var i = 0; i < 10; i++)
            {
                var e = Event();
                ids.Add(e.EventId);
                await Store.AppendAsync($"writer-{w}", ExpectedVersion.Any, [e]);
            }

            return ids;
        })).ToList();
        foreach (var ids in await Task.WhenAll(writers))
        {
            written.AddRange(ids);
        }

        await all.Task.WaitAsync(stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscription);

        Assert.Equal(45, received.Count);
        Assert.Equal(written.Order(), received.Select(e => e.EventId).Order());
        Assert.Equal(received.Select(e => e.Position).Order(), received.Select(e => e.Position));
        Assert.Equal(45, received.Select(e => e.Position).Distinct().Count());
    }

    [Fact]
    public async Task A_subscription_resumes_from_a_checkpoint_with_its_filter()
    {
        await Store.AppendAsync("order-1", ExpectedVersion.Any, [Event("OrderPlaced.v1"), Event("OrderPaid.v1")]);
        await Store.AppendAsync("customer-1", ExpectedVersion.Any, [Event("CustomerRegistered.v1")]);
        var checkpoint = (await ReadAllAsync())[1].Position;
        await Store.AppendAsync("order-2", ExpectedVersion.Any, [Event("OrderPlaced.v1")]);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<RecordedEvent>();
        await foreach (var e in Store.SubscribeToAllAsync(checkpoint, EventFilter.ForStreams("order-"), stop.Token))
        {
            received.Add(e);
            if (received.Count == 2)
            {
                break;
            }
        }

        Assert.Equal([("order-1", "OrderPaid.v1"), ("order-2", "OrderPlaced.v1")], received.Select(e => (e.StreamId, e.Type)));
    }

    [Fact]
    public async Task A_stream_subscription_follows_one_stream_from_a_version()
    {
        await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [Event(), Event(), Event()]);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<long>();
        var subscription = Task.Run(async () =>
        {
            await foreach (var e in Store.SubscribeToStreamAsync("order-1", 2, stop.Token))
            {
                received.Add(e.Version);
                if (received.Count == 4)
                {
                    return;
                }
            }
        });

        await Store.AppendAsync("order-2", ExpectedVersion.Any, [Event()]);
        await Store.AppendAsync("order-1", 2, [Event(), Event()]);
        await Store.AppendAsync("order-1", 4, [Event()]);
        await subscription.WaitAsync(stop.Token);

        Assert.Equal([2L, 3L, 4L, 5L], received);
    }

    [Fact]
    public async Task The_latest_snapshot_is_kept_beside_its_stream_and_is_no_event()
    {
        await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [Event(), Event(), Event()]);
        Assert.Null(await Store.LoadSnapshotAsync("order-1"));

        await Store.SaveSnapshotAsync("order-1", new Snapshot(1, 1, Encoding.UTF8.GetBytes("{\"items\":1}")));
        await Store.SaveSnapshotAsync("order-1", new Snapshot(2, 1, Encoding.UTF8.GetBytes("{\"items\":2}")));
        await RestartAsync();
        var latest = await Store.LoadSnapshotAsync("order-1");

        Assert.Equal((2L, 1, "{\"items\":2}"), (latest!.Version, latest.SchemaVersion, Encoding.UTF8.GetString(latest.Data.Span)));
        Assert.Null(await Store.LoadSnapshotAsync("order-2"));
        Assert.Equal(3, (await ReadAllAsync()).Count);
        Assert.Equal(3, (await ReadAsync("order-1")).Count);
        Assert.Equal(3, (await Store.AppendAsync("order-1", 2, [Event()])).NextExpectedVersion);
    }

    [Fact]
    public async Task A_soft_deleted_stream_reads_empty_and_comes_back_with_its_versions_going_on()
    {
        await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [Event(), Event()]);
        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.DeleteStreamAsync("order-1", 0));

        await Store.DeleteStreamAsync("order-1", 1);

        Assert.Empty(await ReadAsync("order-1"));
        Assert.Null(await Store.GetStreamVersionAsync("order-1"));
        Assert.DoesNotContain("order-1", await ListAsync(""));
        await RestartAsync();
        Assert.Empty(await ReadAsync("order-1"));

        var back = await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [Event()]);

        Assert.Equal(2, back.NextExpectedVersion);
        Assert.Equal([2L], (await ReadAsync("order-1")).Select(e => e.Version));
        Assert.Equal(3, (await ReadAllAsync()).Count); // $all keeps the history
    }

    [Fact]
    public async Task A_tombstoned_stream_is_gone_for_good()
    {
        await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [Event()]);
        await Store.TombstoneStreamAsync("order-1", ExpectedVersion.Any);
        await RestartAsync();

        await Assert.ThrowsAsync<StreamDeletedException>(() => Store.AppendAsync("order-1", ExpectedVersion.Any, [Event()]));
        await Assert.ThrowsAsync<StreamDeletedException>(() => ReadAsync("order-1"));
        await Assert.ThrowsAsync<StreamDeletedException>(() => Store.GetStreamVersionAsync("order-1"));
        await Assert.ThrowsAsync<StreamDeletedException>(() => Store.DeleteStreamAsync("order-1", ExpectedVersion.Any));
        Assert.Empty(await ListAsync("order-"));
    }

    [Fact]
    public async Task Stream_metadata_limits_what_readers_see_by_count_and_truncation()
    {
        for (var i = 0; i < 10; i++)
        {
            await Store.AppendAsync("order-1", ExpectedVersion.Any, [Event()]);
        }

        await Store.SetStreamMetadataAsync("order-1", new StreamMetadata { MaxCount = 3 });
        Assert.Equal([7L, 8L, 9L], (await ReadAsync("order-1")).Select(e => e.Version));
        Assert.Equal([9L, 8L, 7L], (await ReadAsync("order-1", Direction.Backwards)).Select(e => e.Version));

        await Store.SetStreamMetadataAsync("order-1", new StreamMetadata { TruncateBefore = 5 });
        await RestartAsync();

        Assert.Equal(5, (await Store.GetStreamMetadataAsync("order-1")).TruncateBefore);
        Assert.Equal([5L, 6L, 7L, 8L, 9L], (await ReadAsync("order-1")).Select(e => e.Version));
        Assert.Equal([5L], (await ReadAsync("order-1", Direction.Backwards, 5)).Select(e => e.Version));
        Assert.Empty(await ReadAsync("order-1", Direction.Backwards, 4));
        Assert.Equal(9, await Store.GetStreamVersionAsync("order-1"));
        Assert.Equal(10, (await ReadAllAsync()).Count);
    }

    [Fact]
    public async Task Stream_metadata_hides_events_older_than_its_max_age_from_readers_but_not_from_all()
    {
        await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [Event(), Event()]);
        await Store.SetStreamMetadataAsync("order-1", new StreamMetadata { MaxAge = TimeSpan.FromSeconds(2) });
        Assert.Equal([0L, 1L], (await ReadAsync("order-1")).Select(e => e.Version));

        await Task.Delay(TimeSpan.FromSeconds(3)); // the store's own clock: the embedded store's, or PostgreSQL's now()
        await Store.AppendAsync("order-1", ExpectedVersion.Exactly(1), [Event()]);

        Assert.Equal([2L], (await ReadAsync("order-1")).Select(e => e.Version));
        Assert.Equal([2L], (await ReadAsync("order-1", Direction.Backwards)).Select(e => e.Version));
        Assert.Equal(2, await Store.GetStreamVersionAsync("order-1"));
        Assert.Equal(3, (await ReadAllAsync()).Count);
    }

    [Fact]
    public async Task Streams_are_listed_by_prefix()
    {
        foreach (var stream in new[] { "order-2", "customer-1", "order-1", "order-10" })
        {
            await Store.AppendAsync(stream, ExpectedVersion.NoStream, [Event()]);
        }

        Assert.Equal(["order-1", "order-10", "order-2"], await ListAsync("order-"));
        Assert.Equal(4, (await ListAsync("")).Count);
    }

    private async Task<List<string>> ListAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var name in Store.ListStreamsAsync(prefix))
        {
            names.Add(name);
        }

        return names;
    }
}
