using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;

namespace Herald.Kafka.Client;

/// <summary>
/// A minimal Kafka protocol client on the generated codecs: sends one request at a time per connection and reads its
/// response, opening another connection when every open one is busy (so a long-polling fetch does not block others).
/// It talks to the node it connects to and does not follow leaders, which suits a single Herald server.
/// </summary>
public sealed class KafkaProtocolClient : IAsyncDisposable
{
    private const int MaxResponseBytes = 256 * 1024 * 1024;
    private readonly string _host;
    private readonly int _port;
    private readonly string _clientId;
    private readonly ConcurrentBag<Connection> _idle = [];
    private readonly ConcurrentDictionary<Connection, byte> _all = new();
    private Dictionary<short, (short Min, short Max)> _serverVersions = [];

    private KafkaProtocolClient(string host, int port, string clientId)
    {
        _host = host;
        _port = port;
        _clientId = clientId;
    }

    /// <summary>Connects and asks the server which API versions it accepts.</summary>
    /// <exception cref="SocketException">The server cannot be reached.</exception>
    public static async Task<KafkaProtocolClient> ConnectAsync(string host, int port, string clientId, CancellationToken cancellationToken = default)
    {
        var client = new KafkaProtocolClient(host, port, clientId);
        try
        {
            var versions = await client.SendAsync(ApiVersionsRequest.ApiKey, 3, new ApiVersionsRequest { ClientSoftwareName = "herald", ClientSoftwareVersion = "1" }, ApiVersionsResponse.Read, cancellationToken).ConfigureAwait(false);
            client._serverVersions = versions.ApiKeys.ToDictionary(k => k.ApiKey, k => (k.MinVersion, k.MaxVersion));
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Whether the server accepts this API at this version.</summary>
    public bool Supports(short apiKey, short version) =>
        _serverVersions.TryGetValue(apiKey, out var range) && version >= range.Min && version <= range.Max;

    /// <summary>Sends a request in <paramref name="version"/>'s layout and reads the response.</summary>
    /// <exception cref="NotSupportedException">The server does not accept the API at that version.</exception>
    /// <exception cref="KafkaProtocolException">The response is malformed.</exception>
    public async Task<TResponse> SendAsync<TResponse>(short apiKey, short version, IKafkaMessage request, MessageReader<TResponse> read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(read);
        if (_serverVersions.Count > 0 && !Supports(apiKey, version))
        {
            throw new NotSupportedException($"The server at {_host}:{_port} does not accept API {apiKey} v{version}.");
        }

        var connection = _idle.TryTake(out var idle) ? idle : await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await connection.ExchangeAsync(apiKey, version, _clientId, request, cancellationToken).ConfigureAwait(false);
            var reader = new KafkaReader(response);
            ReadResponseHeader(ref reader, apiKey, version, connection.LastCorrelationId);
            var result = read(ref reader, version);
            _idle.Add(connection);
            return result;
        }
        catch
        {
            // A connection that failed mid-exchange may hold half a response: never reuse it.
            _all.TryRemove(connection, out _);
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Sends a request that gets no response (Produce with acks=0).</summary>
    public async Task SendWithoutResponseAsync(short apiKey, short version, IKafkaMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var connection = _idle.TryTake(out var idle) ? idle : await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.SendAsync(apiKey, version, _clientId, request, cancellationToken).ConfigureAwait(false);
            _idle.Add(connection);
        }
        catch
        {
            _all.TryRemove(connection, out _);
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Closes every connection.</summary>
    public ValueTask DisposeAsync()
    {
        foreach (var connection in _all.Keys)
        {
            connection.Dispose();
        }

        _all.Clear();
        return ValueTask.CompletedTask;
    }

    private static void ReadResponseHeader(ref KafkaReader reader, short apiKey, short version, int expectedCorrelationId)
    {
        var correlationId = reader.ReadInt32();
        if (correlationId != expectedCorrelationId)
        {
            throw new KafkaProtocolException($"Expected the response to request {expectedCorrelationId}, got {correlationId}.");
        }

        if (apiKey != ApiVersionsRequest.ApiKey && RequestHeader.IsFlexible(apiKey, version))
        {
            reader.SkipTaggedFields();
        }
    }

    private async Task<Connection> OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new TcpClient { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_host, _port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new Connection(socket);
        _all.TryAdd(connection, 0);
        return connection;
    }

    private sealed class Connection(TcpClient socket) : IDisposable
    {
        private readonly NetworkStream _stream = socket.GetStream();
        private int _correlationId;

        public int LastCorrelationId => _correlationId;

        public async Task<byte[]> ExchangeAsync(short apiKey, short version, string clientId, IKafkaMessage request, CancellationToken cancellationToken)
        {
            await SendAsync(apiKey, version, clientId, request, cancellationToken).ConfigureAwait(false);
            var size = new byte[4];
            await _stream.ReadExactlyAsync(size, cancellationToken).ConfigureAwait(false);
            var length = BinaryPrimitives.ReadInt32BigEndian(size);
            if (length < 4 || length > MaxResponseBytes)
            {
                throw new KafkaProtocolException($"A response of {length} bytes is outside 4 to {MaxResponseBytes}.");
            }

            var response = new byte[length];
            await _stream.ReadExactlyAsync(response, cancellationToken).ConfigureAwait(false);
            return response;
        }

        public async Task SendAsync(short apiKey, short version, string clientId, IKafkaMessage request, CancellationToken cancellationToken)
        {
            using var writer = new KafkaWriter();
            writer.WriteInt32(0);
            writer.WriteInt16(apiKey);
            writer.WriteInt16(version);
            writer.WriteInt32(++_correlationId);
            writer.WriteNullableString(clientId, compact: false);
            if (RequestHeader.IsFlexible(apiKey, version))
            {
                writer.WriteUnsignedVarint(0);
            }

            request.Write(writer, version);
            BinaryPrimitives.WriteInt32BigEndian(writer.WrittenSpan, writer.Length - 4);
            await _stream.WriteAsync(writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }

        public void Dispose() => socket.Dispose();
    }
}
