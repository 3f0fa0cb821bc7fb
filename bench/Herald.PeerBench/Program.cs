// Publishes to a peer broker through its official .NET client, with a fixed number of publishes in flight, and prints
// one JSON line: the peer, messages, seconds and msgs/s. Used by bench/peers.sh to put Herald's numbers beside them.
// Usage: Herald.PeerBench redis|nats|rabbitmq ADDRESS [--messages N] [--size B] [--inflight K]
using System.Diagnostics;
using System.Globalization;
using Herald.PeerBench;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Herald.PeerBench redis|nats|rabbitmq ADDRESS [--messages N] [--size B] [--inflight K]");
    return 2;
}

var messages = Option("--messages", 200_000);
var size = Option("--size", 100);
var inflight = Option("--inflight", 256);
IPeer peer = args[0] switch
{
    "redis" => new RedisPeer(args[1]),
    "nats" => new NatsPeer(args[1]),
    "rabbitmq" => new RabbitPeer(args[1]),
    _ => throw new ArgumentException($"unknown peer '{args[0]}'"),
};

await using (peer)
{
    await peer.PrepareAsync();
    var payload = new byte[size];
    Random.Shared.NextBytes(payload);
    var window = new SemaphoreSlim(inflight, inflight);
    var failures = 0;
    var started = Stopwatch.GetTimestamp();
    var tasks = new List<Task>(inflight * 2);
    for (var i = 0; i < messages; i++)
    {
        await window.WaitAsync();
        tasks.Add(Publish());
        if (tasks.Count >= inflight * 2)
        {
            tasks.RemoveAll(t => t.IsCompleted);
        }
    }

    await Task.WhenAll(tasks);
    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"peer\":\"{peer.Name}\",\"messages\":{messages},\"size\":{size},\"inflight\":{inflight},\"failed\":{failures},\"seconds\":{seconds:F3},\"messagesPerSecond\":{messages / seconds:F0}}}"));

    async Task Publish()
    {
        try
        {
            await peer.PublishAsync(payload);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref failures);
        }
        finally
        {
            window.Release();
        }
    }
}

return 0;

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
