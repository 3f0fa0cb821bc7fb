// Usage: Herald.EventSourcing.CrashChild DIRECTORY SEED
//    or: Herald.EventSourcing.CrashChild relay DIRECTORY
// The first opens the embedded store (recovering what the last SIGKILL left), then 16 writers append to streams of
// their own and to one shared stream, and print "STREAM VERSION EVENTID" for every event of every acknowledged append.
// The second relays the store's Tick events to the topic "ticks", 7 to a batch; after publishing its second batch, and
// before saving the checkpoint, it prints "PUBLISHED CHECKPOINT" and waits to be killed.
//    or: Herald.EventSourcing.CrashChild project DIRECTORY
// The third appends ticks from 4 writers while a state projection counts them, saving every 20 ms, until killed.
using System.Globalization;
using System.Text;
using Herald.EventSourcing;

if (args[0] == "relay")
{
    await RelayChild.RunAsync(args[1]);
    return;
}

if (args[0] == "project")
{
    await ProjectionChild.RunAsync(args[1]);
    return;
}

var directory = args[0];
var seed = int.Parse(args[1], CultureInfo.InvariantCulture);
await using var store = EmbeddedEventStore.Open(new EmbeddedEventStoreOptions { Directory = directory, SegmentBytes = 1024 * 1024, MaxAppendBytes = 64 * 1024 });
var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
var gate = new Lock();

await Task.WhenAll(Enumerable.Range(0, 16).Select(writer => Task.Run(async () =>
{
    var random = new Random(seed * 100 + writer);
    var own = $"writer-{writer}";
    while (true)
    {
        var stream = random.Next(4) == 0 ? "shared" : own;
        var events = Enumerable.Range(0, random.Next(1, 6))
            .Select(i => new EventData(Guid.CreateVersion7(), "Tick.v1", Encoding.UTF8.GetBytes($"{{\"writer\":{writer},\"i\":{i}}}")))
            .ToList();
        AppendResult result;
        try
        {
            result = await store.AppendAsync(stream, ExpectedVersion.Any, events);
        }
        catch (WrongExpectedVersionException)
        {
            continue;
        }

        lock (gate)
        {
            for (var i = 0; i < events.Count; i++)
            {
                output.WriteLine($"{stream} {result.NextExpectedVersion - events.Count + 1 + i} {events[i].EventId}");
            }

            output.Flush();
        }
    }
})));
