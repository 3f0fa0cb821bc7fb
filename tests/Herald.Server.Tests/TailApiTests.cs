using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Herald.Server.Tests;

public sealed class TailApiTests(ServerUnderTest server) : IClassFixture<ServerUnderTest>
{
    [Fact]
    public async Task A_tail_streams_new_matching_records_as_server_sent_events()
    {
        var topic = await server.CreateTopicAsync(partitions: 2);
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { key = "old", value = 0 }); // before the tail: not shown

        using var response = await server.Http.GetAsync($"/api/v1/topics/{topic}/tail?header=kind:keep", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync());
        await events.ReadCommentAsync();

        for (var i = 1; i <= 6; i++)
        {
            await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { key = $"k{i}", value = i, headers = new Dictionary<string, string> { ["kind"] = i % 2 == 0 ? "keep" : "drop" } });
        }

        var seen = new List<int>();
        while (seen.Count < 3)
        {
            var (id, name, data) = await events.NextAsync().WaitAsync(ServerUnderTest.Timeout);
            Assert.Equal("record", name);
            var record = JsonDocument.Parse(data).RootElement;
            Assert.Equal($"{record.GetProperty("partition").GetInt32()}:{record.GetProperty("offset").GetInt64()}", id);
            seen.Add(record.GetProperty("value").GetInt32());
        }

        Assert.Equal([2, 4, 6], seen.Order());
    }

    [Fact]
    public async Task A_tail_from_an_offset_replays_then_follows()
    {
        var topic = await server.CreateTopicAsync();
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { records = Enumerable.Range(0, 5).Select(i => new { value = i }) });

        using var response = await server.Http.GetAsync($"/api/v1/topics/{topic}/tail?offset=3", HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync());
        await events.ReadCommentAsync();
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { value = 5 });

        var values = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            values.Add(JsonDocument.Parse((await events.NextAsync().WaitAsync(ServerUnderTest.Timeout)).Data).RootElement.GetProperty("value").GetInt32());
        }

        Assert.Equal([3, 4, 5], values);
    }

    [Fact]
    public async Task A_client_that_disconnects_leaves_no_tail_behind()
    {
        var topic = await server.CreateTopicAsync(partitions: 4);
        var response = await server.Http.GetAsync($"/api/v1/topics/{topic}/tail", HttpCompletionOption.ResponseHeadersRead);
        var events = new SseReader(await response.Content.ReadAsStreamAsync());
        await events.ReadCommentAsync();
        Assert.True(await ActiveTailsAsync(server) >= 1);

        events.Dispose();
        response.Dispose();

        var deadline = Stopwatch.StartNew();
        while (await ActiveTailsAsync(server) > 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "the server still holds a tail whose client left");
            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData(16, 16 * 1024 * 1024)] // held back by the count of events
    [InlineData(1000, 64 * 1024)] // held back by their bytes
    public async Task A_client_that_reads_too_slowly_is_cut_off_and_the_server_goes_on(int heldEvents, long heldBytes)
    {
        var small = new ServerUnderTest { ConfigureHttp = http => http with { TailBufferEvents = heldEvents, TailBufferBytes = heldBytes } };
        await small.InitializeAsync();
        try
        {
            var topic = await small.CreateTopicAsync();
            using var response = await small.Http.GetAsync($"/api/v1/topics/{topic}/tail", HttpCompletionOption.ResponseHeadersRead);
            using var events = new SseReader(await response.Content.ReadAsStreamAsync());
            await events.ReadCommentAsync();

            // 40 MB while the client reads nothing: far more than the socket buffers and the 16 events the tail may hold.
            for (var batch = 0; batch < 40; batch++)
            {
                await small.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { records = Enumerable.Range(0, 10).Select(_ => new { value = new string('x', 100_000), valueFormat = "string" }) });
            }

            var received = 0;
            var ended = false;
            try
            {
                while (received < 400)
                {
                    await events.NextAsync().WaitAsync(ServerUnderTest.Timeout);
                    received++;
                }
            }
            catch (Exception exception) when (exception is IOException or HttpRequestException or EndOfStreamException)
            {
                ended = true;
            }

            Assert.True(ended, $"the slow client received all {received} events instead of being cut off");
            Assert.True(received < 400);
            var deadline = Stopwatch.StartNew();
            while (!System.Text.RegularExpressions.Regex.IsMatch(await small.Http.GetStringAsync("/metrics"), "herald_server_tail_cut_off(_total)?(\\{[^}]*\\})? [1-9]"))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the cut-off was not counted in herald_server_tail_cut_off");
                await Task.Delay(100);
            }
            await small.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { value = 1 });
        }
        finally
        {
            await small.DisposeAsync();
        }
    }

    [Fact]
    public async Task Tails_beyond_the_servers_limit_are_refused_until_one_closes()
    {
        var limited = new ServerUnderTest { ConfigureHttp = http => http with { MaxTails = 1 } };
        await limited.InitializeAsync();
        try
        {
            var topic = await limited.CreateTopicAsync();
            var first = await limited.Http.GetAsync($"/api/v1/topics/{topic}/tail", HttpCompletionOption.ResponseHeadersRead);
            var events = new SseReader(await first.Content.ReadAsStreamAsync());
            await events.ReadCommentAsync();

            using (var second = await limited.Http.GetAsync($"/api/v1/topics/{topic}/tail", HttpCompletionOption.ResponseHeadersRead))
            {
                Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, second.StatusCode);
            }

            events.Dispose();
            first.Dispose();
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                using var again = await limited.Http.GetAsync($"/api/v1/topics/{topic}/tail", HttpCompletionOption.ResponseHeadersRead);
                if (again.IsSuccessStatusCode)
                {
                    break;
                }

                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "the slot of the closed tail was never given back");
                await Task.Delay(100);
            }
        }
        finally
        {
            await limited.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_tail_ends_when_its_topic_is_deleted()
    {
        var topic = await server.CreateTopicAsync(partitions: 2);
        using var response = await server.Http.GetAsync($"/api/v1/topics/{topic}/tail", HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync());
        await events.ReadCommentAsync();

        await server.SendJsonAsync(HttpMethod.Delete, $"/api/v1/topics/{topic}", null, System.Net.HttpStatusCode.NoContent);

        await Assert.ThrowsAsync<EndOfStreamException>(() => events.NextAsync().WaitAsync(TimeSpan.FromSeconds(25)));
    }

    internal static async Task<long> ActiveTailsAsync(ServerUnderTest server)
    {
        var metrics = await server.Http.GetStringAsync("/metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("herald_server_tail_active", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}

/// <summary>Reads Server-Sent Events from a stream: comments, and events with their id, name and data.</summary>
internal sealed class SseReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream);

    public async Task ReadCommentAsync()
    {
        var line = await _reader.ReadLineAsync().WaitAsync(ServerUnderTest.Timeout);
        Assert.StartsWith(":", line);
    }

    public async Task<(string? Id, string? Event, string Data)> NextAsync()
    {
        string? id = null, name = null, data = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync() ?? throw new EndOfStreamException("the event stream ended");
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    return (id, name, data);
                }

                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (field, value) = colon < 0 ? (line, string.Empty) : (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "id": id = value; break;
                case "event": name = value; break;
                case "data": data = data is null ? value : data + "\n" + value; break;
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
