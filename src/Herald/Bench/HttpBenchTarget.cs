using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Herald.Broker;

namespace Herald.Cli.Bench;

/// <summary>
/// A server's HTTP API (<c>herald serve --http</c>): each producer holds one keep-alive connection and posts its
/// messages as JSON batches of <see cref="BenchSettings.HttpBatchRecords"/> records (values base64, so any bytes go),
/// one request in flight at a time, as a service without a Kafka client would.
/// </summary>
internal sealed class HttpBenchTarget(Uri baseAddress) : IBenchTarget
{
    private readonly HttpClient _admin = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(1) };

    public async Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken)
    {
        using var response = await _admin.PostAsync("/api/v1/topics", Json(new { name = topic, partitions }), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"Creating {topic} over HTTP failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    public async Task DeleteTopicAsync(string topic, CancellationToken cancellationToken)
    {
        using var response = await _admin.DeleteAsync($"/api/v1/topics/{Uri.EscapeDataString(topic)}", cancellationToken);
    }

    public IBenchProducer CreateProducer(BenchSettings settings, Action<long, bool> acknowledged) => new Producer(baseAddress, settings, acknowledged);

    public IBenchConsumer CreateConsumer(BenchSettings settings) => throw CliException.Usage("Over --http only produce is measured; consume and e2e take --bootstrap or --embedded.");

    public ValueTask DisposeAsync()
    {
        _admin.Dispose();
        return ValueTask.CompletedTask;
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");

    private sealed class Producer : IBenchProducer
    {
        private static readonly MediaTypeHeaderValue JsonType = new("application/json");
        private readonly HttpClient _http;
        private readonly string _path;
        private readonly int _batch;
        private readonly Action<long, bool> _acknowledged;
        private readonly List<long> _stamps = [];
        private ArrayBufferWriter<byte> _body = new(64 * 1024);
        private Utf8JsonWriter _writer;
        private Task _inFlight = Task.CompletedTask;

        public Producer(Uri baseAddress, BenchSettings settings, Action<long, bool> acknowledged)
        {
            // One connection per producer, kept alive: the handler holds at most one.
            _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(1) };
            var acks = settings.Acks switch { Acks.None => "0", Acks.Leader => "1", _ => "all" };
            _path = $"/api/v1/topics/{Uri.EscapeDataString(settings.Topic)}/records?acks={acks}";
            _batch = settings.HttpBatchRecords;
            _acknowledged = acknowledged;
            _writer = Start();
        }

        public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, long scheduled, CancellationToken cancellationToken)
        {
            _writer.WriteStartObject();
            _writer.WriteBase64String("value", payload.Span);
            _writer.WriteString("valueFormat", "base64");
            _writer.WriteEndObject();
            _stamps.Add(scheduled);
            if (_stamps.Count >= _batch)
            {
                await SendBatchAsync(cancellationToken);
            }
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_stamps.Count > 0)
            {
                await SendBatchAsync(cancellationToken);
            }

            await _inFlight;
        }

        public async ValueTask DisposeAsync()
        {
            await _writer.DisposeAsync();
            _http.Dispose();
        }

        private Utf8JsonWriter Start()
        {
            var writer = new Utf8JsonWriter(_body);
            writer.WriteStartObject();
            writer.WriteStartArray("records");
            return writer;
        }

        // The next batch is built while this one is in flight; only one request is out at a time.
        private async Task SendBatchAsync(CancellationToken cancellationToken)
        {
            _writer.WriteEndArray();
            _writer.WriteEndObject();
            await _writer.FlushAsync(cancellationToken);
            await _writer.DisposeAsync();
            var body = _body.WrittenMemory;
            var stamps = _stamps.ToArray();
            _stamps.Clear();
            await _inFlight;
            _inFlight = PostAsync(body, stamps, cancellationToken);
            _body = new ArrayBufferWriter<byte>(Math.Max(64 * 1024, body.Length));
            _writer = Start();
        }

        private async Task PostAsync(ReadOnlyMemory<byte> body, long[] stamps, CancellationToken cancellationToken)
        {
            var ok = false;
            try
            {
                using var content = new ReadOnlyMemoryContent(body);
                content.Headers.ContentType = JsonType;
                using var response = await _http.PostAsync(_path, content, cancellationToken);
                ok = response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
            }

            foreach (var stamp in stamps)
            {
                _acknowledged(stamp, ok);
            }
        }
    }
}
