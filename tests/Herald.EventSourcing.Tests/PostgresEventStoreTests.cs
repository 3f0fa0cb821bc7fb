namespace Herald.EventSourcing.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresEventStoreTests(PostgresServer server) : EventStoreCompliance
{
    private string? _database;

    protected override async Task<IEventStore> OpenAsync()
    {
        _database ??= await server.CreateDatabaseAsync();
        return await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = _database });
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresGlobalOrderTests(PostgresServer server)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_transaction_held_open_is_neither_skipped_when_it_commits_nor_a_stall_when_it_rolls_back(bool commit)
    {
        var database = await server.CreateDatabaseAsync();
        await using var store = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = database });
        var first = new EventData(Guid.CreateVersion7(), "First.v1", "{}"u8.ToArray());
        var late = Guid.CreateVersion7();
        var after = new EventData(Guid.CreateVersion7(), "After.v1", "{}"u8.ToArray());
        await store.AppendAsync("first", ExpectedVersion.NoStream, [first]);

        // A writer that started earlier and commits later: its event gets the lower position.
        await using var held = new Npgsql.NpgsqlConnection(database);
        await held.OpenAsync();
        await using var transaction = await held.BeginTransactionAsync();
        await using (var insert = new Npgsql.NpgsqlCommand(
            "INSERT INTO herald.streams (stream_id, last_version) VALUES ('late', 0); " +
            "INSERT INTO herald.events (position, stream_id, version, event_id, type, data) VALUES (pg_current_xact_id()::text::bigint * 65536, 'late', 0, @id, 'Late.v1', '\\x7b7d')",
            held,
            transaction))
        {
            insert.Parameters.AddWithValue("id", late);
            await insert.ExecuteNonQueryAsync();
        }

        await store.AppendAsync("after", ExpectedVersion.NoStream, [after]);

        var now = new List<Guid>();
        await foreach (var e in store.ReadAllAsync())
        {
            now.Add(e.EventId);
        }

        Assert.Equal([first.EventId], now); // "after" committed, but is held back behind the open transaction

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var expected = commit ? new[] { first.EventId, late, after.EventId } : [first.EventId, after.EventId];
        var received = new System.Collections.Concurrent.ConcurrentQueue<Guid>();
        var caughtUp = new TaskCompletionSource();
        var subscription = Task.Run(async () =>
        {
            await foreach (var e in store.SubscribeToAllAsync(0, null, stop.Token))
            {
                received.Enqueue(e.EventId);
                caughtUp.TrySetResult();
                if (received.Count == expected.Length)
                {
                    return;
                }
            }
        });

        await caughtUp.Task.WaitAsync(stop.Token);
        await Task.Delay(1500); // more than the subscription's longest wait: nothing past the open transaction arrives
        Assert.Equal([first.EventId], received.ToArray());
        if (commit)
        {
            await transaction.CommitAsync();
        }
        else
        {
            await transaction.RollbackAsync();
        }

        await subscription.WaitAsync(stop.Token);
        Assert.Equal(expected, received);
    }
}
