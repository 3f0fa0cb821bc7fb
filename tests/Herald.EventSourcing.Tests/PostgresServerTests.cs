using Npgsql;

namespace Herald.EventSourcing.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests(PostgresServer server)
{
    [Fact]
    public async Task The_throwaway_cluster_answers_with_synchronous_commit_on()
    {
        await using var connection = new NpgsqlConnection(await server.CreateDatabaseAsync());
        await connection.OpenAsync();
        await using var show = new NpgsqlCommand("SHOW synchronous_commit", connection);

        Assert.Equal("on", await show.ExecuteScalarAsync());
        Assert.StartsWith("127.0.0.1", new NpgsqlConnectionStringBuilder(server.ConnectionString).Host, StringComparison.Ordinal);
        Assert.NotEqual("postgres", connection.Database);
    }
}
