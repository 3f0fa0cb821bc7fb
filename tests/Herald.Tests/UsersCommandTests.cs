using System.Text.Json;
using Herald.Testing;

namespace Herald.Tests;

/// <summary><c>herald users</c> on the data directory and, over KIP-554's APIs, on a running server.</summary>
public sealed class UsersCommandTests
{
    [Fact]
    public async Task Users_are_added_listed_changed_and_deleted_in_the_data_directory()
    {
        using var herald = new HeraldProgram();

        Assert.Equal(0, (await herald.RunAsync("first-password\n", "users", "add", "alice", "--password-stdin")).ExitCode);
        Assert.Equal(0, (await herald.RunAsync(null, "users", "add", "bob", "--password", "b", "--mechanism", "SCRAM-SHA-256", "--iterations", "4096")).ExitCode);
        var (_, listed, _) = await herald.RunAsync(null, "users", "list", "--output", "json");
        var users = JsonDocument.Parse(listed).RootElement.EnumerateArray().ToDictionary(u => u.GetProperty("user").GetString()!, u => u.GetProperty("credentials"));
        Assert.Equal(["alice", "bob"], users.Keys);
        Assert.Equal(["SCRAM-SHA-512", "SCRAM-SHA-256"], users["alice"].EnumerateArray().Select(c => c.GetProperty("mechanism").GetString()));
        Assert.Equal(4096, users["bob"][0].GetProperty("iterations").GetInt32());

        var (existsExit, _, exists) = await herald.RunAsync(null, "users", "add", "alice", "--password", "x");
        Assert.Equal(1, existsExit);
        Assert.Contains("exists already", exists, StringComparison.Ordinal);
        var (missingExit, _, missing) = await herald.RunAsync(null, "users", "passwd", "carol", "--password", "x");
        Assert.Equal(1, missingExit);
        Assert.Contains("does not exist", missing, StringComparison.Ordinal);
        Assert.Equal(2, (await herald.RunAsync(null, "users", "add", "dave", "--password", "x", "--iterations", "100")).ExitCode);
        Assert.Equal(2, (await herald.RunAsync(null, "users", "add", "dave")).ExitCode);
        Assert.Equal(2, (await herald.RunAsync(null, "users", "add", "dave", "--password", "x", "--mechanism", "MD5")).ExitCode);

        Assert.Equal(0, (await herald.RunAsync(null, "users", "delete", "bob")).ExitCode);
        Assert.Equal(1, (await herald.RunAsync(null, "users", "delete", "bob")).ExitCode);
        var (_, text, _) = await herald.RunAsync(null, "users", "list");
        Assert.Contains("alice\tSCRAM-SHA-512 (8192 iterations), SCRAM-SHA-256 (8192 iterations)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("bob", text, StringComparison.Ordinal);
        Assert.DoesNotContain("first-password", File.ReadAllText(Path.Combine(herald.DataDirectory, "__security", "users.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_server_manages_its_users_for_super_users_and_refuses_the_others()
    {
        using var program = new HeraldProgram { Environment = new Dictionary<string, string> { ["HERALD_ADMIN_PASSWORD"] = "admin-secret" } };
        var saslPort = FreePort();
        await using var served = await ServedHerald.StartAsync(program, "--kafka", $"SASL_PLAINTEXT://127.0.0.1:{saslPort}");
        var sasl = $"127.0.0.1:{saslPort}";
        var admin = Properties(program, "admin", "admin", "admin-secret");

        // Through the SASL listener as the first administrator, a super user.
        Assert.Equal(0, (await program.RunAsync("carol-secret\n", "--server", sasl, "--client-config", admin, "users", "add", "carol", "--password-stdin")).ExitCode);
        var (_, listed, listError) = await program.RunAsync(null, "--server", sasl, "--client-config", admin, "users", "list");
        Assert.Contains("carol\tSCRAM-SHA-512", listed, StringComparison.Ordinal);
        Assert.True(listed.Contains("admin\tSCRAM-SHA-512", StringComparison.Ordinal), listError);

        // carol authenticates with the password just set, also after kill -9 (the change was durable once it returned),
        // but is no super user.
        await served.RestartAfterKillAsync();
        await ListeningAsync(saslPort);
        var carol = Properties(program, "carol", "carol", "carol-secret");
        Assert.Equal(0, (await program.RunAsync(null, "--server", sasl, "--client-config", carol, "topics", "list")).ExitCode);
        var (deniedExit, _, denied) = await program.RunAsync(null, "--server", sasl, "--client-config", carol, "users", "list");
        Assert.Equal(1, deniedExit);
        Assert.Contains("User:carol may not describe users", denied, StringComparison.Ordinal);

        // A wrong password is said to be one, quickly.
        var wrong = Properties(program, "wrong", "carol", "guess");
        var (wrongExit, _, wrongError) = await program.RunAsync(null, "--server", sasl, "--client-config", wrong, "topics", "list");
        Assert.Equal(1, wrongExit);
        Assert.Contains("refused this client's credentials", wrongError, StringComparison.Ordinal);

        // The loopback PLAINTEXT listener does not authenticate; there, as everywhere on it, anyone may.
        Assert.Equal(0, (await program.RunAsync(null, "--server", served.Bootstrap, "users", "passwd", "carol", "--password", "changed")).ExitCode);
        Assert.Equal(1, (await program.RunAsync(null, "--server", sasl, "--client-config", carol, "topics", "list")).ExitCode);
        Assert.Equal(0, (await program.RunAsync(null, "--server", served.Bootstrap, "users", "delete", "carol")).ExitCode);
        await served.WaitForLogAsync("Admin change by User:ANONYMOUS");
    }

    private static string Properties(HeraldProgram program, string name, string user, string password)
    {
        var path = Path.Combine(program.DataDirectory, $"{name}.properties");
        File.WriteAllText(path, $"security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.username={user}\nsasl.password={password}\n");
        return path;
    }

    // The restart is known to be up once its first listener is; the second binds a moment later.
    private static async Task ListeningAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
