using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Herald.Testing;

namespace Herald.Compatibility.Tests;

/// <summary>
/// kill -9 of a real <c>herald serve</c> while Confluent.Kafka produces with acks=all: after a restart every
/// acknowledged message is there, once, at the offset it was acknowledged with.
/// </summary>
[Trait("Category", "Hostile")]
public sealed class CrashTests
{
    private const int Rounds = 3;

    [Fact]
    public async Task Acknowledged_messages_survive_kill_9_at_their_offsets()
    {
        using var program = new HeraldProgram();
        var port = FreePort();
        var acknowledged = new ConcurrentDictionary<string, (int Partition, long Offset)>();
        var random = new Random(7);
        var next = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var server = await StartAsync(program, port);
            using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig
            {
                BootstrapServers = $"127.0.0.1:{port}",
                Acks = Acks.All,
                EnableIdempotence = true,
                LingerMs = 1,
                MessageTimeoutMs = 5000,
            }).Build())
            {
                // Keep producing while the server is killed at a random moment, after some acknowledgements.
                var killAfter = 2000 + random.Next(3000);
                while (acknowledged.Count < killAfter + (round * 10_000) || acknowledged.Count < 1)
                {
                    Produce(producer, $"m{next++}", acknowledged);
                    if (next % 200 == 0)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(1));
                    }
                }

                for (var i = 0; i < 500; i++)
                {
                    Produce(producer, $"m{next++}", acknowledged);
                }

                server.Kill();
                await server.WaitForExitAsync();
                producer.Flush(TimeSpan.FromSeconds(10));
            }
        }

        var restarted = await StartAsync(program, port);
        try
        {
            var config = new ConsumerConfig { BootstrapServers = $"127.0.0.1:{port}", GroupId = "verifier", EnableAutoCommit = false, EnablePartitionEof = true };
            using var consumer = new ConsumerBuilder<Null, string>(config).Build();
            consumer.Assign(new TopicPartitionOffset("crash", 0, Offset.Beginning));
            var stored = new Dictionary<long, string>();
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (DateTime.UtcNow < deadline)
            {
                var record = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (record is null)
                {
                    continue;
                }

                if (record.IsPartitionEOF)
                {
                    break;
                }

                stored[record.Offset.Value] = record.Message.Value;
            }

            Assert.True(acknowledged.Count > Rounds * 2000, $"only {acknowledged.Count} acknowledged");
            var byValue = stored.GroupBy(s => s.Value).ToDictionary(g => g.Key, g => g.Select(s => s.Key).ToList());
            foreach (var (value, (_, offset)) in acknowledged)
            {
                Assert.True(stored.TryGetValue(offset, out var found), $"acknowledged {value} at offset {offset} is missing");
                Assert.Equal(value, found);
                Assert.Single(byValue[value]);
            }
        }
        finally
        {
            restarted.Kill();
            await restarted.WaitForExitAsync();
        }
    }

    private static void Produce(IProducer<Null, string> producer, string value, ConcurrentDictionary<string, (int, long)> acknowledged)
    {
        while (true)
        {
            try
            {
                producer.Produce("crash", new Message<Null, string> { Value = value }, report =>
                {
                    if (!report.Error.IsError)
                    {
                        acknowledged[value] = (report.Partition.Value, report.Offset.Value);
                    }
                });
                return;
            }
            catch (ProduceException<Null, string> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    private static async Task<Process> StartAsync(HeraldProgram program, int port)
    {
        var process = program.Start("serve", "--kafka", $"127.0.0.1:{port}", "--http", "none");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, "herald serve exited early");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return process;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
