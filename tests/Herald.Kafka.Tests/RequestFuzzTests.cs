using Confluent.Kafka;
using CsCheck;
using Herald.Testing;

namespace Herald.Kafka.Tests;

/// <summary>
/// The request path kept fixed against hostile input: a bounded fuzz run in every suite (the long run of a million and
/// more is <c>--fuzz</c> in bench/Herald.Benchmarks; see docs/operations.md).
/// </summary>
/// <remarks>
/// It runs alone: the heap it measures is the whole test process's, and tests running beside it would count.
/// </remarks>
[Collection(RunsAlone.Name)]
public sealed class RequestFuzzTests
{
    private const int WarmUpInputs = 2_000;
    private const int Inputs = 20_000;

    [Fact]
    public async Task Mutated_requests_are_answered_or_closed_and_the_server_stays_whole_and_serving()
    {
        await using var fuzzer = await RequestFuzzer.StartAsync();
        await fuzzer.Inputs().SampleAsync(fuzzer.RunAsync, iter: WarmUpInputs);
        var before = GC.GetTotalMemory(forceFullCollection: true);

        await fuzzer.Inputs().SampleAsync(fuzzer.RunAsync, iter: Inputs);

        fuzzer.AssertSettled();
        Assert.Empty(fuzzer.Errors);
        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.True(grown < 64 * 1024 * 1024, $"the managed heap grew by {grown} bytes over {Inputs} inputs");
        await AssertServesARealClientAsync(fuzzer.Server.BootstrapServers);
    }

    private static async Task AssertServesARealClientAsync(string bootstrap)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, SocketNagleDisable = true }).Build();
        var delivered = await producer.ProduceAsync("after-fuzzing", new Message<string, string> { Key = "k", Value = "still here" }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "after-fuzzing", AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        consumer.Subscribe("after-fuzzing");
        var received = consumer.Consume(TimeSpan.FromSeconds(30));
        Assert.Equal("still here", received?.Message.Value);
        consumer.Close();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
