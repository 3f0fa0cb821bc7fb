using System.Globalization;
using System.Text;
using Herald.Storage;
using Npgsql;

namespace Herald.EventSourcing;

/// <summary>Where a relay keeps the position it publishes from next.</summary>
internal interface IRelayCheckpoint
{
    Task<long> LoadAsync(CancellationToken cancellationToken);

    Task SaveAsync(long position, CancellationToken cancellationToken);
}

/// <summary>A relay's checkpoint as a small file, replaced atomically and durably.</summary>
internal sealed class FileRelayCheckpoint(string directory, string name) : IRelayCheckpoint
{
    private readonly string _file = name + ".checkpoint";

    public Task<long> LoadAsync(CancellationToken cancellationToken) =>
        Task.FromResult(
            AtomicFile.Read(DiskFileSystem.Instance, Path.Combine(directory, _file), maxBytes: 32) is { } bytes
            && long.TryParse(Encoding.ASCII.GetString(bytes), NumberStyles.None, CultureInfo.InvariantCulture, out var position)
                ? position
                : 0);

    public Task SaveAsync(long position, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.Write(DiskFileSystem.Instance, directory, _file, Encoding.ASCII.GetBytes(position.ToString(CultureInfo.InvariantCulture)));
        return Task.CompletedTask;
    }
}

/// <summary>A relay's checkpoint as a row of the store's <c>checkpoints</c> table.</summary>
internal sealed class PostgresRelayCheckpoint(PostgresEventStore store, string name) : IRelayCheckpoint
{
    public async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT position FROM {store.Schema}.checkpoints WHERE name = $1", connection) { Parameters = { new() { Value = "relay:" + name } } };
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long position ? position : 0;
    }

    public async Task SaveAsync(long position, CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"INSERT INTO {store.Schema}.checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET position = $2", connection)
        {
            Parameters = { new() { Value = "relay:" + name }, new() { Value = position } },
        };
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
