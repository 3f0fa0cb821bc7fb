using System.Net;
using System.Net.Sockets;
using Herald.Testing;
using Npgsql;

namespace Herald.EventSourcing.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster for the tests that need one, started by <c>tests/postgres.sh</c> (which installs
/// PostgreSQL from Debian when it is missing) on a free loopback port, and removed afterwards. Each test gets a fresh
/// database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-pg-" + Guid.NewGuid().ToString("N"));

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var (exit, output, error) = await ChildProcess.RunAsync(Script, ["start", _directory, port.ToString(System.Globalization.CultureInfo.InvariantCulture)], timeout: TimeSpan.FromMinutes(10));
        if (exit != 0)
        {
            throw new InvalidOperationException($"tests/postgres.sh could not start PostgreSQL (exit {exit}): {error}");
        }

        ConnectionString = output.Trim();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ChildProcess.RunAsync(Script, ["stop", _directory], timeout: TimeSpan.FromMinutes(1));
    }

    /// <summary>A new, empty database, and a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    private static string Script => Path.Combine(RepositoryRoot.Path, "tests", "postgres.sh");
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
