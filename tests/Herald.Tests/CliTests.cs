using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Herald.Testing;

namespace Herald.Tests;

/// <summary>
/// The CLI's commands end to end against a real process: the same scenarios open the data directory themselves
/// (<see cref="CliTests"/>) or talk to a running <c>herald serve</c> over the Kafka protocol (<see cref="RemoteCliTests"/>).
/// </summary>
public abstract class CliScenarios : IAsyncLifetime
{
    private protected HeraldProgram Herald { get; } = new();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        Herald.Dispose();
        return Task.CompletedTask;
    }

    protected virtual Task<(int ExitCode, string Output, string Error)> RunAsync(string? input, params string[] args) => Herald.RunAsync(input, args);

    /// <summary>The SDK's transport to the same data: the directory itself, or the running server.</summary>
    private protected abstract Task<Client.Transport.IEventTransport> OpenTransportAsync();

    [Fact]
    public async Task Dead_letters_are_listed_shown_redriven_with_their_id_and_then_gone()
    {
        await using (var transport = await OpenTransportAsync())
        {
            await transport.EnsureTopicAsync("orders", 1, CancellationToken.None);
            await transport.EnsureTopicAsync("orders.billing.dlq", 1, CancellationToken.None);
            var headers = new (string Name, string Value)[]
            {
                ("ce_specversion", "1.0"), ("ce_id", "0190a4e0-0000-7000-8000-000000000001"), ("ce_type", "OrderPlaced.v1"), ("ce_source", "/shop"),
                (Client.DeadLetterHeaders.ExceptionType, "System.TimeoutException"), (Client.DeadLetterHeaders.ExceptionMessage, "database down"),
                (Client.DeadLetterHeaders.ExceptionStack, "at Billing.Handle()"), (Client.DeadLetterHeaders.Attempts, "4"),
                (Client.DeadLetterHeaders.OriginalTopic, "orders"), (Client.DeadLetterHeaders.OriginalPartition, "0"), (Client.DeadLetterHeaders.OriginalOffset, "41"),
                (Client.DeadLetterHeaders.Group, "billing"), (Client.DeadLetterHeaders.FirstFailure, "2026-11-27T10:00:00.0000000+00:00"), (Client.DeadLetterHeaders.LastFailure, "2026-11-27T10:00:01.0000000+00:00"),
            };
            await transport.PublishAsync(
                new Client.Transport.OutgoingRecord("orders.billing.dlq", "o-7", [.. headers.Select(h => new KeyValuePair<string, byte[]>(h.Name, Encoding.UTF8.GetBytes(h.Value)))], Encoding.UTF8.GetBytes("{\"orderId\":\"o-7\"}")),
                CancellationToken.None);
        }

        var listed = await RunAsync(null, "dlq", "list", "--topic", "orders", "--group", "billing", "--output", "json");
        Assert.True(listed.ExitCode == 0, listed.Error);
        var letter = JsonDocument.Parse(listed.Output).RootElement.EnumerateArray().Single();
        Assert.Equal(("0:0", "OrderPlaced.v1", "o-7", "System.TimeoutException", 4, 41L), (letter.GetProperty("letter").GetString(), letter.GetProperty("eventType").GetString(), letter.GetProperty("key").GetString(), letter.GetProperty("exceptionType").GetString(), letter.GetProperty("attempts").GetInt32(), letter.GetProperty("originalOffset").GetInt64()));
        Assert.Equal("[]", (await RunAsync(null, "dlq", "list", "--topic", "orders", "--group", "billing", "--error", "ArgumentException", "--output", "json")).Output.Trim());

        var shown = await RunAsync(null, "dlq", "show", "--topic", "orders", "--group", "billing", "0:0");
        Assert.Contains("System.TimeoutException: database down", shown.Output, StringComparison.Ordinal);
        Assert.Contains("{\"orderId\":\"o-7\"}", shown.Output, StringComparison.Ordinal);

        Assert.Contains("would redrive 1", (await RunAsync(null, "dlq", "redrive", "--topic", "orders", "--group", "billing", "--dry-run")).Output, StringComparison.Ordinal);
        var redriven = await RunAsync(null, "dlq", "redrive", "--topic", "orders", "--group", "billing", "--type", "OrderPlaced");
        Assert.True(redriven.ExitCode == 0, redriven.Error);
        Assert.Contains("redrove 1", redriven.Output, StringComparison.Ordinal);

        var consumed = await RunAsync(null, "consume", "orders", "--format", "json");
        var record = JsonDocument.Parse(consumed.Output.Trim()).RootElement;
        Assert.Equal(("o-7", "{\"orderId\":\"o-7\"}"), (record.GetProperty("key").GetString(), record.GetProperty("value").GetString()));
        Assert.Equal("[]", (await RunAsync(null, "dlq", "list", "--topic", "orders", "--group", "billing", "--output", "json")).Output.Trim());

        var missing = await RunAsync(null, "dlq", "show", "--topic", "orders", "--group", "billing", "zero");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("is not PARTITION:OFFSET", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_batch_on_disk_is_reported_with_its_offsets_and_the_rest_is_printed()
    {
        // Regression: consume died with an unhandled InvalidRecordBatchException (exit 134) at the damaged batch.
        await RunAsync(null, "topics", "create", "orders");
        foreach (var line in new[] { "first", "second", "third" })
        {
            Assert.Equal(0, (await RunAsync(line + "\n", "produce", "orders")).ExitCode); // one batch each
        }

        FlipLastByteOfBatch(Path.Combine(Herald.DataDirectory, "orders-0", "00000000000000000000.log"), batchIndex: 1);
        var (exit, output, error) = await RunAsync(null, "consume", "orders");

        Assert.Equal(1, exit);
        Assert.Equal(["first", "third"], Lines(output));
        Assert.Contains("skipped a damaged batch in orders-0 at offsets 1..1", error, StringComparison.Ordinal);
        Assert.Contains("CRC32C", error, StringComparison.Ordinal); // "mismatch" from Herald, "failed CRC32C check" from librdkafka
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_adds_the_details_of_a_failure()
    {
        var plain = await RunAsync(null, "consume", "missing");
        var verbose = await RunAsync(null, "consume", "missing", "--verbose");

        Assert.Equal((1, 1), (plain.ExitCode, verbose.ExitCode));
        Assert.DoesNotContain("   at ", plain.Error, StringComparison.Ordinal);
        Assert.Contains("   at ", verbose.Error, StringComparison.Ordinal);
    }

    private static void FlipLastByteOfBatch(string segment, int batchIndex)
    {
        using var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        var header = new byte[61];
        long position = 0;
        for (var i = 0; ; i++)
        {
            file.Position = position;
            file.ReadExactly(header);
            var size = 12 + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(8));
            if (i == batchIndex)
            {
                file.Position = position + size - 2; // inside the last record's value: only the CRC notices
                var value = file.ReadByte();
                file.Position = position + size - 2;
                file.WriteByte((byte)(value ^ 0x5A));
                return;
            }

            position += size;
        }
    }

    [Fact]
    public async Task A_runtime_error_exits_1_with_the_problem_on_stderr()
    {
        var (exit, _, error) = await RunAsync("a\nb\n", "produce", "missing");

        Assert.Equal(1, exit);
        Assert.Contains("Topic 'missing' does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hundred_thousand_lines_come_back_exactly_and_in_order_within_each_partition()
    {
        const int Lines = 100_000;
        Assert.Equal(0, (await RunAsync(null, "topics", "create", "orders", "--partitions", "3")).ExitCode);
        var input = new StringBuilder();
        for (var i = 0; i < Lines; i++)
        {
            input.Append(CultureInfo.InvariantCulture, $"customer-{i % 97}:order {i}\n");
        }

        var produced = await RunAsync(input.ToString(), "produce", "orders", "--key-separator", ":");
        Assert.Equal(0, produced.ExitCode);
        Assert.Contains($"{Lines} events acknowledged", produced.Error, StringComparison.Ordinal);

        var consumed = await RunAsync(null, "consume", "orders", "--format", "json");
        Assert.Equal(0, consumed.ExitCode);
        var records = consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(Lines, records.Count);
        Assert.Equal(Enumerable.Range(0, Lines).Select(i => $"order {i}").Order(StringComparer.Ordinal), records.Select(r => r.GetProperty("value").GetString()!).Order(StringComparer.Ordinal));
        foreach (var partition in records.GroupBy(r => r.GetProperty("partition").GetInt32()))
        {
            var numbers = partition.Select(r => int.Parse(r.GetProperty("value").GetString()!["order ".Length..], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(numbers.Order(), numbers);
            Assert.All(partition, r => Assert.Equal(partition.Key, KafkaPartition(r.GetProperty("key").GetString()!, 3)));
        }
    }

    [Fact]
    public async Task Topics_can_be_listed_as_json_described_altered_and_deleted()
    {
        await RunAsync(null, "topics", "create", "payments", "--partitions", "2", "--config", "retention.ms=60000");

        var list = await RunAsync(null, "topics", "list", "--output", "json");
        var topic = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Single();
        Assert.Equal(("payments", 2), (topic.GetProperty("name").GetString(), topic.GetProperty("partitions").GetInt32()));
        Assert.Equal("60000", topic.GetProperty("config").GetProperty("retention.ms").GetString());

        Assert.Equal(0, (await RunAsync(null, "topics", "alter", "payments", "--config", "retention.ms=120000")).ExitCode);
        Assert.Contains("retention.ms=120000 (set)", (await RunAsync(null, "topics", "describe", "payments")).Output, StringComparison.Ordinal);
        Assert.Equal(1, (await RunAsync(null, "topics", "alter", "payments", "--config", "retention.ms=soon")).ExitCode);

        Assert.Equal(0, (await RunAsync(null, "topics", "delete", "payments")).ExitCode);
        Assert.Equal("[]", (await RunAsync(null, "topics", "list", "--output", "json")).Output.Trim());
    }

    [Fact]
    public async Task A_group_resumes_where_it_stopped_shows_its_lag_and_can_be_reset()
    {
        await RunAsync(null, "topics", "create", "orders");
        await RunAsync(string.Concat(Enumerable.Range(1, 10).Select(i => $"event {i}\n")), "produce", "orders");

        var first = await RunAsync(null, "consume", "orders", "--group", "email", "--max", "4");
        Assert.Equal(["event 1", "event 2", "event 3", "event 4"], Lines(first.Output));

        var describe = await RunAsync(null, "groups", "describe", "email", "--output", "json");
        var group = JsonDocument.Parse(describe.Output).RootElement;
        Assert.Equal(6, group.GetProperty("totalLag").GetInt64());
        Assert.Equal(4, group.GetProperty("partitions")[0].GetProperty("committed").GetInt64());

        var second = await RunAsync(null, "consume", "orders", "--group", "email");
        Assert.Equal(Enumerable.Range(5, 6).Select(i => $"event {i}"), Lines(second.Output));
        Assert.Contains("total lag 0", (await RunAsync(null, "groups", "describe", "email")).Output, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync(null, "groups", "reset-offsets", "email", "--topic", "orders", "--to", "8")).ExitCode);
        Assert.Equal(["event 9", "event 10"], Lines((await RunAsync(null, "consume", "orders", "--group", "email")).Output));
        Assert.Equal(0, (await RunAsync(null, "groups", "reset-offsets", "email", "--topic", "orders", "--to", "earliest")).ExitCode);
        Assert.Equal(10, Lines((await RunAsync(null, "consume", "orders", "--group", "email")).Output).Length);
        Assert.Equal(["email"], Lines((await RunAsync(null, "groups", "list")).Output));
        Assert.Equal(1, (await RunAsync(null, "groups", "describe", "nobody")).ExitCode);
    }

    protected static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// A bench report's figures agree with each other: the rates with the count, size and duration, and every latency
    /// with the run's length (a wrong unit or a lost message would show).
    /// </summary>
    protected static void AssertBenchReportAddsUp(JsonElement report)
    {
        var messages = report.GetProperty("messages").GetInt64() - report.GetProperty("failed").GetInt64();
        var seconds = report.GetProperty("seconds").GetDouble();
        var perSecond = report.GetProperty("messagesPerSecond").GetDouble();
        Assert.True(seconds > 0, "no time measured");
        Assert.InRange(perSecond, messages / (seconds + 0.0005) * 0.99, messages / Math.Max(seconds - 0.0005, 0.0001) * 1.01); // seconds is rounded to ms
        var megabytes = perSecond * report.GetProperty("size").GetInt32() / (1024.0 * 1024);
        Assert.InRange(report.GetProperty("megabytesPerSecond").GetDouble(), (megabytes * 0.97) - 0.06, (megabytes * 1.03) + 0.06);
        if (report.TryGetProperty("latencyMicros", out var latency))
        {
            long[] percentiles = [latency.GetProperty("p50").GetInt64(), latency.GetProperty("p99").GetInt64(), latency.GetProperty("p999").GetInt64(), latency.GetProperty("max").GetInt64()];
            Assert.True(percentiles[0] > 0, "a latency of 0 µs");
            Assert.Equal(percentiles.Order(), percentiles);
            Assert.True(percentiles[^1] <= (seconds + 0.1) * 1_000_000, $"a latency of {percentiles[^1]} µs in a run of {seconds} s");
        }
    }

    private static int KafkaPartition(string key, int partitions) => global::Herald.Broker.Partitioner.PartitionForKey(Encoding.UTF8.GetBytes(key), partitions);
}

/// <summary>Runs the scenarios against a <c>herald serve</c> child process, with <c>--server</c>.</summary>
public sealed class RemoteCliTests : CliScenarios
{
    private System.Diagnostics.Process? _server;
    private int _port;

    private protected override Task<Client.Transport.IEventTransport> OpenTransportAsync() =>
        Task.FromResult<Client.Transport.IEventTransport>(new Client.Transport.Kafka.KafkaTransport($"127.0.0.1:{_port}"));

    public override async Task InitializeAsync()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            _port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _server = Herald.Start("serve", "--kafka", $"127.0.0.1:{_port}", "--http", "127.0.0.1:0", "--retention", "3d", "--segment-bytes", "64MiB", "--retention-bytes", "1GiB");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, _port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_server.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public override async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill();
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Serve_flags_set_the_broker_defaults_and_a_topic_override_wins()
    {
        Assert.Equal(0, (await RunAsync(null, "topics", "create", "plain")).ExitCode);
        Assert.Equal(0, (await RunAsync(null, "topics", "create", "own", "--config", "retention.ms=1000")).ExitCode);

        var plain = JsonDocument.Parse((await RunAsync(null, "topics", "describe", "plain", "--output", "json")).Output).RootElement.GetProperty("config");
        var own = JsonDocument.Parse((await RunAsync(null, "topics", "describe", "own", "--output", "json")).Output).RootElement.GetProperty("config");

        Assert.Equal(("259200000", "67108864", "1073741824"), (plain.GetProperty("retention.ms").GetString(), plain.GetProperty("segment.bytes").GetString(), plain.GetProperty("retention.bytes").GetString()));
        Assert.Equal(("1000", "67108864"), (own.GetProperty("retention.ms").GetString(), own.GetProperty("segment.bytes").GetString()));
    }

    [Fact]
    public async Task An_unreachable_server_is_a_runtime_error()
    {
        var (exit, _, error) = await Herald.RunAsync(null, "topics", "list", "--server", "127.0.0.1:1");
        Assert.Equal(1, exit);
        Assert.Contains("Cannot reach a server at 127.0.0.1:1", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hint_for_a_missing_topic_keeps_the_server()
    {
        var (exit, _, error) = await RunAsync("a\n", "produce", "missing");

        Assert.Equal(1, exit);
        Assert.Contains($"Create it with 'herald topics create missing --server 127.0.0.1:{_port}'.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Produce_with_acks_0_reaches_the_server()
    {
        await RunAsync(null, "topics", "create", "fire");
        Assert.Equal(0, (await RunAsync("a\nb\nc\n", "produce", "fire", "--acks", "0")).ExitCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string[] lines;
        do
        {
            lines = Lines((await RunAsync(null, "consume", "fire")).Output);
        }
        while (lines.Length < 3 && DateTime.UtcNow < deadline);

        Assert.Equal(["a", "b", "c"], lines);
    }

    [Fact]
    public async Task Bench_measures_an_idempotent_producer_and_a_catch_up_consumer_through_Confluent_Kafka()
    {
        var produce = await Herald.RunAsync(null, "bench", "produce", "--bootstrap", $"127.0.0.1:{_port}", "--messages", "20000", "--idempotent", "--partitions", "2", "--output", "json");
        Assert.True(produce.ExitCode == 0, produce.Error);
        var report = JsonDocument.Parse(produce.Output).RootElement;
        Assert.Equal(20000, report.GetProperty("messages").GetInt64());
        Assert.Equal(0, report.GetProperty("failed").GetInt64());
        AssertBenchReportAddsUp(report);

        var consume = await Herald.RunAsync(null, "bench", "consume", "--bootstrap", $"127.0.0.1:{_port}", "--messages", "20000", "--output", "json");
        Assert.True(consume.ExitCode == 0, consume.Error);
        var consumed = JsonDocument.Parse(consume.Output).RootElement;
        Assert.Equal(20000, consumed.GetProperty("messages").GetInt64());
        AssertBenchReportAddsUp(consumed);

        // The bench topics are gone again.
        Assert.Equal("[]", (await RunAsync(null, "topics", "list", "--output", "json")).Output.Trim());
    }

    [Fact]
    public async Task Produce_says_how_many_events_were_acknowledged_when_the_server_dies_midway()
    {
        // Regression: it printed only "Unable to read beyond the end of the stream." and no count.
        await RunAsync(null, "topics", "create", "orders");
        using var producer = Herald.Start("produce", "orders", "--server", $"127.0.0.1:{_port}");
        var error = producer.StandardError.ReadToEndAsync();
        var output = producer.StandardOutput.ReadToEndAsync();
        var lines = string.Concat(Enumerable.Range(0, 5000).Select(i => $"event {i}\n"));
        await producer.StandardInput.WriteAsync(lines);
        await producer.StandardInput.FlushAsync();
        await WaitForDataAsync();

        _server!.Kill(); // SIGKILL
        await _server.WaitForExitAsync();
        try
        {
            await producer.StandardInput.WriteAsync(lines);
            producer.StandardInput.Close();
        }
        catch (IOException)
        {
            // It may have stopped already.
        }

        await HeraldProgram.WaitForExitAsync(producer, TimeSpan.FromMinutes(1));
        var problem = await error;
        await output;

        Assert.Equal(1, producer.ExitCode);
        Assert.Matches(@"herald: \d+ events were acknowledged before it stopped\.", problem);
        Assert.Contains("connection to the server at", problem, StringComparison.Ordinal);
        Assert.Contains("was lost", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", problem, StringComparison.Ordinal);
    }

    private async Task WaitForDataAsync()
    {
        var segment = Path.Combine(Herald.DataDirectory, "orders-0", "00000000000000000000.log");
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!File.Exists(segment) || new FileInfo(segment).Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "nothing was produced");
            await Task.Delay(20);
        }
    }

    protected override Task<(int ExitCode, string Output, string Error)> RunAsync(string? input, params string[] args) =>
        Herald.RunAsync(input, [.. args, "--server", $"127.0.0.1:{_port}"]);
}

/// <summary>Runs the scenarios on the data directory directly, and the checks that only make sense locally.</summary>
public sealed class CliTests : CliScenarios
{
    private readonly HeraldProgram _herald;

    public CliTests() => _herald = Herald;

    // Closed again before the CLI runs: the directory is locked by whoever has it open.
    private protected override async Task<Client.Transport.IEventTransport> OpenTransportAsync() =>
        new Client.Transport.Embedded.EmbeddedTransport(await Broker.HeraldBroker.StartAsync(new Broker.BrokerOptions { DataDirectory = _herald.DataDirectory }), ownsBroker: true);

    [Fact]
    public async Task Help_lists_the_commands_and_exits_0()
    {
        var (exit, output, _) = await _herald.RunAsync(null, "--help");

        Assert.Equal(0, exit);
        foreach (var command in new[] { "serve", "topics", "produce", "consume" })
        {
            Assert.Contains(command, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Demo_runs_the_shop_with_every_fault_and_reports_every_invariant_held_as_json()
    {
        var (exit, output, error) = await _herald.RunAsync(null, "demo", "--duration", "20s", "--output", "json", "--http", "127.0.0.1:0");

        Assert.True(exit == 0, $"exit {exit}: {output}{error}");
        using var report = JsonDocument.Parse(output);
        var root = report.RootElement;
        Assert.True(root.GetProperty("passed").GetBoolean());
        var final = root.GetProperty("final");
        var invariants = final.GetProperty("invariants").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!, i => i.GetProperty("state").GetString());
        Assert.Equal(["analytics_match", "dead_letters_handled", "emails_once", "orders_settled", "reserved_once", "stock_never_negative"], invariants.Keys.Order());
        Assert.All(invariants.Values, state => Assert.Equal("holds", state));
        Assert.True(final.GetProperty("ordersPlaced").GetInt64() >= 150, output);
        var steps = final.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("what").GetString()).ToList();
        Assert.Contains("Analytics is killed with SIGKILL", steps);
        Assert.Contains(steps, s => s!.EndsWith("dead letters redriven", StringComparison.Ordinal));
        Assert.True(final.GetProperty("faultsStruck").GetProperty("duplicate_published").GetInt64() > 0, output);
        Assert.Contains("[00:", error, StringComparison.Ordinal); // progress on stderr, since no terminal watches
    }

    [Fact]
    public async Task Demo_without_faults_injects_none()
    {
        var (exit, output, _) = await _herald.RunAsync(null, "demo", "--duration", "6s", "--rate", "5", "--no-faults", "--output", "json", "--http", "none");

        Assert.Equal(0, exit);
        using var report = JsonDocument.Parse(output);
        var final = report.RootElement.GetProperty("final");
        Assert.Empty(final.GetProperty("faultsStruck").EnumerateObject());
        Assert.Equal(0, final.GetProperty("deadLettered").GetInt64());
        Assert.Equal(0, final.GetProperty("breakerOpenings").GetInt32());
    }

    [Fact]
    public async Task A_usage_error_exits_2_with_the_problem_on_stderr()
    {
        var (exit, output, error) = await _herald.RunAsync(null, "topics", "create");

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("name", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--kafka takes HOST:PORT", "serve", "--kafka", "nonsense")]
    [InlineData("--default-partitions must be at least 1", "serve", "--default-partitions", "0")]
    [InlineData("--connections-max-idle takes a duration", "serve", "--connections-max-idle", "soon")]
    [InlineData("--retention takes a duration such as 30s, 12h or 7d, or forever", "serve", "--retention", "soon")]
    [InlineData("--segment-bytes must be at least 1KiB", "serve", "--segment-bytes", "10")]
    [InlineData("DefaultPartitions (5) must not exceed MaxPartitionsPerRequest (2)", "serve", "--default-partitions", "5", "--max-partitions-per-request", "2")]
    [InlineData("--from takes earliest, latest, an offset or an ISO 8601 time", "consume", "orders", "--from", "yesterday")]
    [InlineData("--max must be at least 1", "consume", "orders", "--max", "-1")]
    [InlineData("--max takes a whole number; got 'lots'", "consume", "orders", "--max", "lots")]
    [InlineData("--since takes an ISO 8601 time", "dlq", "list", "--topic", "t", "--group", "g", "--since", "yesterday")]
    [InlineData("--rate takes 0.1 to 500 orders a second; got 1000", "demo", "--rate", "1000")]
    [InlineData("--rate must be above zero", "demo", "--rate", "0")]
    [InlineData("--duration must be at least 5s", "demo", "--duration", "1s")]
    [InlineData("--duration takes a duration such as 500ms", "demo", "--duration", "soon")]
    [InlineData("Unrecognized command or argument 'nonsense'", "nonsense")]
    [InlineData("Give a command")]
    public async Task Usage_errors_exit_2_with_a_plain_message(string problem, params string[] args)
    {
        var (exit, output, error) = await _herald.RunAsync(null, args);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains(problem, error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal); // no .NET type names
        Assert.DoesNotContain("Required command was not provided", error, StringComparison.Ordinal);
    }

    [NeedsRootFact]
    public async Task A_read_only_data_directory_is_reported_as_such_not_as_in_use()
    {
        // Regression: any IOException on the lock file was reported as "in use by process N", naming a stale pid.
        using var disk = SmallFileSystem.Mount(megabytes: 8);
        var herald = new HeraldProgram(Path.Combine(disk.Path, "data"));
        Assert.Equal(0, (await herald.RunAsync(null, "topics", "create", "orders")).ExitCode);
        Remount(disk.Path, "ro");

        var (exit, _, error) = await herald.RunAsync(null, "topics", "list");

        Assert.Equal(1, exit);
        Assert.Contains("Cannot use", error, StringComparison.Ordinal);
        Assert.Contains("Read-only file system", error, StringComparison.Ordinal);
        Assert.DoesNotContain("in use", error, StringComparison.Ordinal);
        Remount(disk.Path, "rw");
    }

    private static void Remount(string path, string mode)
    {
        using var mount = System.Diagnostics.Process.Start("mount", ["-o", $"remount,{mode}", path]);
        mount.WaitForExit();
        Assert.Equal(0, mount.ExitCode);
    }

    [Fact]
    public async Task Bench_runs_produce_consume_and_e2e_on_an_embedded_broker_and_cleans_up()
    {
        var produce = await _herald.RunAsync(null, "bench", "produce", "--embedded", "--messages", "20000", "--idempotent", "--partitions", "3", "--producers", "2", "--output", "json");
        Assert.True(produce.ExitCode == 0, produce.Error);
        var report = JsonDocument.Parse(produce.Output).RootElement;
        Assert.Equal(("produce", "embedded", 20000L, 0L), (report.GetProperty("mode").GetString(), report.GetProperty("target").GetString(), report.GetProperty("messages").GetInt64(), report.GetProperty("failed").GetInt64()));
        AssertBenchReportAddsUp(report);

        var consume = await _herald.RunAsync(null, "bench", "consume", "--embedded", "--messages", "20000", "--size", "1024");
        Assert.True(consume.ExitCode == 0, consume.Error);
        Assert.Contains("consume (embedded): 20,000 messages of 1024 B", consume.Output, StringComparison.Ordinal);
        Assert.Matches(@"gc: [\d,]+ collections \([\d,]+ gen2\), [\d.,]+ ms paused", consume.Output);

        // At a fixed rate the run takes about messages / rate seconds, and latency counts from each scheduled send.
        var e2e = await _herald.RunAsync(null, "bench", "e2e", "--embedded", "--rate", "1000", "--seconds", "1", "--linger-ms", "0", "--output", "json");
        Assert.True(e2e.ExitCode == 0, e2e.Error);
        var latency = JsonDocument.Parse(e2e.Output).RootElement;
        Assert.Equal(1000, latency.GetProperty("messages").GetInt64());
        Assert.InRange(latency.GetProperty("seconds").GetDouble(), 0.9, 30);
        AssertBenchReportAddsUp(latency);

        Assert.Equal("[]", (await _herald.RunAsync(null, "topics", "list", "--output", "json")).Output.Trim());
    }

    [Fact]
    public async Task Bench_needs_exactly_one_target_and_sane_sizes()
    {
        Assert.Equal(2, (await _herald.RunAsync(null, "bench", "produce")).ExitCode);
        Assert.Equal(2, (await _herald.RunAsync(null, "bench", "produce", "--embedded", "--bootstrap", "127.0.0.1:9092")).ExitCode);
        var small = await _herald.RunAsync(null, "bench", "produce", "--embedded", "--size", "4");
        Assert.Equal(2, small.ExitCode);
        Assert.Contains("--size must be at least 8", small.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await _herald.RunAsync(null, "bench", "produce", "--embedded", "--acks", "2")).ExitCode);
        Assert.Equal(2, (await _herald.RunAsync(null, "bench", "produce", "--http", "not-a-url")).ExitCode);
        Assert.Equal(2, (await _herald.RunAsync(null, "bench", "produce", "--http", "http://127.0.0.1:1", "--embedded")).ExitCode);
        var consumeOverHttp = await _herald.RunAsync(null, "bench", "consume", "--http", "http://127.0.0.1:1");
        Assert.Equal(2, consumeOverHttp.ExitCode);
        Assert.Contains("only produce", consumeOverHttp.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_holds_the_data_directory_and_stops_cleanly_on_SIGTERM()
    {
        await _herald.RunAsync(null, "topics", "create", "orders");
        await _herald.RunAsync("one\ntwo\n", "produce", "orders");
        using var server = _herald.Start("serve", "--http", "127.0.0.1:0");
        var log = new StringBuilder();
        server.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        server.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        server.BeginErrorReadLine();
        server.BeginOutputReadLine();
        await WaitUntilAsync(() => { lock (log) { return log.ToString().Contains("ready", StringComparison.Ordinal); } });

        var blocked = await _herald.RunAsync(null, "topics", "list");
        Assert.Equal(1, blocked.ExitCode);
        Assert.Contains($"in use by process {server.Id}", blocked.Error, StringComparison.Ordinal);
        Assert.Contains("reach that server instead with --server", blocked.Error, StringComparison.Ordinal);

        SendSigterm(server.Id);
        await server.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(0, server.ExitCode);
        Assert.True(File.Exists(Path.Combine(_herald.DataDirectory, "orders-0", "clean-shutdown")));
        Assert.Equal("one\ntwo\n", (await _herald.RunAsync(null, "consume", "orders")).Output.ReplaceLineEndings("\n"));
    }

    private static void SendSigterm(int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
