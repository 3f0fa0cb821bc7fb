using System.Diagnostics;
using System.Globalization;

namespace Herald.EventSourcing.Tests;

/// <summary>
/// A child process runs 16 writers against the embedded store and reports every acknowledged event; it is killed with
/// SIGKILL at random moments, round after round. After each restart every acknowledged event must be where it was
/// acknowledged, every stream's versions must run 0..n without a gap or a repeat, the index must agree with the log,
/// and a subscriber that saved its checkpoint before the kill must go on from it with nothing skipped or repeated.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-es-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Every_acknowledged_append_survives_repeated_SIGKILL_with_16_writers()
    {
        var acknowledged = new Dictionary<(string Stream, long Version), Guid>();
        var random = new Random(20261203);
        var resumeFrom = 0L; // a subscriber's checkpoint, saved before the next kill
        for (var round = 0; round < 10; round++)
        {
            foreach (var line in await RunChildUntilKilledAsync(round, TimeSpan.FromMilliseconds(random.Next(100, 600))))
            {
                var parts = line.Split(' ');
                var key = (parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture));
                Assert.True(acknowledged.TryAdd(key, Guid.Parse(parts[2])), $"round {round}: {key} was acknowledged twice");
            }

            await using var store = EmbeddedEventStore.Open(new EmbeddedEventStoreOptions { Directory = _directory, SegmentBytes = 1024 * 1024, MaxAppendBytes = 64 * 1024 });
            var byStream = new Dictionary<string, List<RecordedEvent>>();
            var all = new List<RecordedEvent>();
            var lastPosition = -1L;
            await foreach (var e in store.ReadAllAsync())
            {
                all.Add(e);
                Assert.True(e.Position > lastPosition, $"round {round}: $all goes back from {lastPosition} to {e.Position}");
                lastPosition = e.Position;
                if (!byStream.TryGetValue(e.StreamId, out var events))
                {
                    byStream[e.StreamId] = events = [];
                }

                events.Add(e);
            }

            foreach (var (stream, events) in byStream)
            {
                Assert.Equal(Enumerable.Range(0, events.Count).Select(v => (long)v), events.Select(e => e.Version));
                var indexed = new List<RecordedEvent>();
                await foreach (var e in store.ReadStreamAsync(stream))
                {
                    indexed.Add(e);
                }

                Assert.Equal(events.Select(e => (e.Position, e.EventId)), indexed.Select(e => (e.Position, e.EventId)));
                Assert.Equal(events.Count - 1, await store.GetStreamVersionAsync(stream));
            }

            foreach (var ((stream, version), id) in acknowledged)
            {
                Assert.True(byStream.TryGetValue(stream, out var events) && version < events.Count, $"round {round}: acknowledged {stream}@{version} is missing");
                Assert.Equal(id, events[(int)version].EventId);
            }

            resumeFrom = await ResumeSubscriptionAsync(store, all, resumeFrom, round);
        }

        Assert.True(acknowledged.Count >= 200, $"only {acknowledged.Count} events were acknowledged; the children barely ran");
    }

    // A subscriber that saved its checkpoint before the kill goes on from it: every event from there once, in order,
    // then live. Returns a checkpoint in the middle of what it read, for the next round.
    private static async Task<long> ResumeSubscriptionAsync(EmbeddedEventStore store, List<RecordedEvent> all, long from, int round)
    {
        var expected = all.Where(e => e.Position >= from).Select(e => e.EventId).ToList();
        var live = new EventData(Guid.CreateVersion7(), "Live.v1", "{}"u8.ToArray());
        var seen = new List<RecordedEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        if (expected.Count == 0)
        {
            await store.AppendAsync("crash-live", ExpectedVersion.Any, [live]);
        }

        await foreach (var e in store.SubscribeToAllAsync(from, null, timeout.Token))
        {
            seen.Add(e);
            if (seen.Count == expected.Count)
            {
                await store.AppendAsync("crash-live", ExpectedVersion.Any, [live]);
            }

            if (e.EventId == live.EventId)
            {
                break;
            }
        }

        Assert.True(expected.Append(live.EventId).SequenceEqual(seen.Select(e => e.EventId)), $"round {round}: the subscription from {from} skipped or repeated events");
        return seen.Count > 1 ? seen[seen.Count / 2].Position : from;
    }

    private async Task<List<string>> RunChildUntilKilledAsync(int seed, TimeSpan runFor)
    {
        var start = new ProcessStartInfo(Herald.Testing.DotnetHost.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Herald.EventSourcing.CrashChild.dll"));
        start.ArgumentList.Add(_directory);
        start.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));

        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash child");
        var errors = child.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        var firstLine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }

                firstLine.TrySetResult();
            }
        });

        // Wait until the writers are appending, so each kill lands among appends in flight.
        await Task.WhenAny(firstLine.Task, child.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(runFor);
        if (child.HasExited)
        {
            Assert.Fail($"the crash child exited on its own with code {child.ExitCode}: {await errors}");
        }

        child.Kill(); // SIGKILL on Unix: no finalizers, no flush, no clean close
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await reading.WaitAsync(TimeSpan.FromSeconds(30));

        // A line cut off by the kill was never printed whole, so it acknowledges nothing.
        return [.. lines.Where(l => l.Split(' ') is [_, _, var id] && Guid.TryParse(id, out _))];
    }
}
