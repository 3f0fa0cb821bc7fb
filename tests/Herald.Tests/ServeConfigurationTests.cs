using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Herald.Testing;

namespace Herald.Tests;

public sealed class ServeConfigurationTests
{
    [Fact]
    public async Task Listening_beyond_this_machine_without_authentication_needs_allow_anonymous_and_is_then_announced()
    {
        using var herald = new HeraldProgram();
        var (kafkaExit, _, kafkaError) = await herald.RunAsync(null, "serve", "--kafka", "0.0.0.0:0", "--http", "none");
        Assert.Equal(2, kafkaExit);
        Assert.Contains("The PLAINTEXT Kafka listener's address 0.0.0.0:0 can be reached from other machines", kafkaError, StringComparison.Ordinal);
        Assert.Contains("authenticate clients (a SASL_SSL or SASL_PLAINTEXT listener", kafkaError, StringComparison.Ordinal);
        var (httpExit, _, httpError) = await herald.RunAsync(null, "serve", "--kafka", "127.0.0.1:0", "--http", "0.0.0.0:0");
        Assert.Equal(2, httpExit);
        Assert.Contains("The HTTP address 0.0.0.0:0 can be reached from other machines", httpError, StringComparison.Ordinal);

        await using var served = await ServedHerald.StartAsync("--http", "0.0.0.0:0", "--allow-anonymous");
        await served.WaitForLogAsync("may read, write and delete every topic");
        using var http = new HttpClient { BaseAddress = await served.HttpAddressAsync(), Timeout = TimeSpan.FromSeconds(10) };
        var stats = JsonDocument.Parse(await http.GetStringAsync("/api/v1/stats")).RootElement;
        Assert.True(stats.GetProperty("openToAnyone").GetBoolean()); // the console's overview shows a warning
    }

    [Fact]
    public async Task A_configured_allow_anonymous_that_is_not_true_or_false_is_a_usage_error()
    {
        using var herald = new HeraldProgram { Environment = new Dictionary<string, string> { ["HERALD_ALLOW_ANONYMOUS"] = "maybe" } };

        var (exit, _, error) = await herald.RunAsync(null, "serve", "--kafka", "0.0.0.0:0", "--http", "none");

        Assert.Equal(2, exit);
        Assert.Contains("--allow-anonymous (configured as 'allow-anonymous' in herald.json or HERALD_ALLOW_ANONYMOUS) takes true or false; got 'maybe'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_takes_settings_from_herald_json_then_the_environment_then_its_flags()
    {
        var workingDirectory = Directory.CreateTempSubdirectory("herald-config").FullName;
        var (kafka, httpFromFile, httpFromFlag) = (FreePort(), FreePort(), FreePort());
        await File.WriteAllTextAsync(Path.Combine(workingDirectory, "herald.json"), $$"""{"default-partitions": "2", "kafka": "127.0.0.1:{{kafka}}", "http": "127.0.0.1:{{httpFromFile}}", "retention": "1d"}""");
        using var herald = new HeraldProgram { WorkingDirectory = workingDirectory, Environment = new Dictionary<string, string> { ["HERALD_DEFAULT_PARTITIONS"] = "3" } };
        using var server = herald.Start("serve", "--http", $"127.0.0.1:{httpFromFlag}");
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpFromFlag}"), Timeout = TimeSpan.FromSeconds(10) };
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (true)
            {
                Assert.False(server.HasExited, "herald serve exited early");
                try
                {
                    if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                }

                await Task.Delay(100);
            }

            using var created = await http.PostAsJsonAsync("/api/v1/topics", new { name = "configured" });
            var topic = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(3, topic.GetProperty("partitions").GetArrayLength()); // the environment over the file
            var retention = topic.GetProperty("configs").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "retention.ms");
            Assert.Equal("86400000", retention.GetProperty("value").GetString()); // from the file
            using var kafkaProbe = new TcpClient();
            await kafkaProbe.ConnectAsync(IPAddress.Loopback, kafka); // from the file
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
            Directory.Delete(workingDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_bad_configured_value_is_a_usage_error_that_names_where_it_came_from()
    {
        using var herald = new HeraldProgram { Environment = new Dictionary<string, string> { ["HERALD_SEGMENT_BYTES"] = "tiny" } };
        var (exitCode, _, error) = await herald.RunAsync(null, "serve", "--http", "none");
        Assert.Equal(2, exitCode);
        Assert.Contains("--segment-bytes (configured as 'segment-bytes' in herald.json or HERALD_SEGMENT_BYTES)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_configured_address_names_where_it_came_from()
    {
        using var herald = new HeraldProgram { Environment = new Dictionary<string, string> { ["HERALD_HTTP"] = "nowhere" } };
        var (exitCode, _, error) = await herald.RunAsync(null, "serve");
        Assert.Equal(2, exitCode);
        Assert.Contains("--http (configured as 'http' in herald.json or HERALD_HTTP)", error, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
