using System.Text.Json;
using Herald.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Herald.EventSourcing;

/// <summary>
/// Projections' last statuses and rebuild requests, where tools outside the application (<c>herald projections</c>)
/// read and write them: in the PostgreSQL store's tables, or in files beside the embedded store.
/// </summary>
internal interface IProjectionControl
{
    Task SaveStatusAsync(ProjectionStatus status, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProjectionStatus>> ReadStatusesAsync(CancellationToken cancellationToken);

    Task RequestRebuildAsync(string name, CancellationToken cancellationToken);

    /// <summary>Whether a rebuild of <paramref name="name"/> was asked for since the last call; the request is taken.</summary>
    Task<bool> TakeRebuildRequestAsync(string name, CancellationToken cancellationToken);

    /// <summary>The control that goes with <paramref name="store"/>: its tables on PostgreSQL, else files in <paramref name="directory"/>.</summary>
    static IProjectionControl For(IEventStore store, string directory) =>
        store is PostgresEventStore postgres ? new PostgresProjectionControl(postgres.DataSource, postgres.Schema) : new FileProjectionControl(directory);
}

/// <summary><c>{directory}/{name}/status.json</c> and a <c>rebuild</c> file beside it.</summary>
internal sealed class FileProjectionControl(string directory) : IProjectionControl
{
    private const string RebuildFile = "rebuild";
    private static readonly DiskFileSystem Disk = DiskFileSystem.Instance;

    public Task SaveStatusAsync(ProjectionStatus status, CancellationToken cancellationToken)
    {
        var own = Path.Combine(directory, status.Name);
        Directory.CreateDirectory(own);
        AtomicFile.Write(Disk, own, ProjectionStatusJson.FileName, JsonSerializer.SerializeToUtf8Bytes(status, ProjectionStatusJson.Options));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ProjectionStatus>> ReadStatusesAsync(CancellationToken cancellationToken)
    {
        var found = new List<ProjectionStatus>();
        if (Directory.Exists(directory))
        {
            foreach (var own in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
            {
                if (AtomicFile.Read(Disk, Path.Combine(own, ProjectionStatusJson.FileName), maxBytes: 64 * 1024) is { } bytes && ProjectionStatusJson.TryRead(bytes) is { } status)
                {
                    found.Add(status);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<ProjectionStatus>>(found);
    }

    public Task RequestRebuildAsync(string name, CancellationToken cancellationToken)
    {
        var own = Path.Combine(directory, name);
        Directory.CreateDirectory(own);
        AtomicFile.Write(Disk, own, RebuildFile, []);
        return Task.CompletedTask;
    }

    public Task<bool> TakeRebuildRequestAsync(string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, name, RebuildFile);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        File.Delete(path);
        return Task.FromResult(true);
    }
}

/// <summary>The store's <c>projection_status</c> and <c>projection_requests</c> tables.</summary>
internal sealed class PostgresProjectionControl(NpgsqlDataSource source, string schema) : IProjectionControl
{
    public async Task SaveStatusAsync(ProjectionStatus status, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand($"INSERT INTO {schema}.projection_status (name, status) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET status = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = status.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(status, ProjectionStatusJson.Options), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ProjectionStatus>> ReadStatusesAsync(CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand($"SELECT status::text FROM {schema}.projection_status ORDER BY name");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<ProjectionStatus>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (ProjectionStatusJson.TryRead(System.Text.Encoding.UTF8.GetBytes(reader.GetString(0))) is { } status)
            {
                found.Add(status);
            }
        }

        return found;
    }

    public async Task RequestRebuildAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand($"INSERT INTO {schema}.projection_requests (name) VALUES ($1) ON CONFLICT DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TakeRebuildRequestAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand($"DELETE FROM {schema}.projection_requests WHERE name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }
}
