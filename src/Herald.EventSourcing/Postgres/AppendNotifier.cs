using Npgsql;

namespace Herald.EventSourcing.Postgres;

/// <summary>
/// Wakes <c>LISTEN</c>ing readers after appends, outside the appends' transactions: a transaction that notifies takes
/// PostgreSQL's notification lock at commit, which would line every append up behind the last one's WAL flush and end
/// group commit. Here at most one notification is in flight, and at most one is sent per <see cref="Spacing"/>; the
/// appends made meanwhile are covered by the next. Readers wake up to that much later, and the server is spared a
/// notification per append, which on a busy store costs as much CPU as the appends themselves.
/// </summary>
internal sealed class AppendNotifier(NpgsqlDataSource source, string channel)
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(2);
    private int _pending;
    private int _sending;

    public void Appended()
    {
        Volatile.Write(ref _pending, 1);
        if (Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
        {
            _ = SendAsync();
        }
    }

    private async Task SendAsync()
    {
        try
        {
            while (Interlocked.Exchange(ref _pending, 0) == 1)
            {
                try
                {
                    await using var notify = source.CreateCommand("SELECT pg_notify($1, '')");
                    notify.Parameters.Add(new NpgsqlParameter { Value = channel });
                    await notify.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is NpgsqlException or ObjectDisposedException or InvalidOperationException)
                {
                    // Readers also look again every second, so a lost notification delays them, and loses nothing.
                }

                await Task.Delay(Spacing).ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _sending, 0);
            if (Volatile.Read(ref _pending) == 1 && Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
            {
                _ = SendAsync();
            }
        }
    }
}
