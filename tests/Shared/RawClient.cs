using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Herald.Kafka.Protocol;

namespace Herald.Testing;

/// <summary>A bare TCP client speaking Kafka framing, to send exactly the bytes a test wants, well-formed or not.</summary>
internal sealed class RawClient : IDisposable
{
    private readonly TcpClient _client = new();
    private NetworkStream _stream = null!;

    public static async Task<RawClient> ConnectAsync(IPEndPoint endPoint)
    {
        var client = new RawClient();
        await client._client.ConnectAsync(endPoint);
        client._stream = client._client.GetStream();
        return client;
    }

    /// <summary>A request frame: size, header v1 (or v2 with empty tagged fields when flexible), body.</summary>
    public static byte[] Frame(short apiKey, short version, int correlationId, IKafkaMessage? body, bool flexibleHeader)
    {
        using var writer = new KafkaWriter();
        writer.WriteInt32(0);
        writer.WriteInt16(apiKey);
        writer.WriteInt16(version);
        writer.WriteInt32(correlationId);
        writer.WriteNullableString("raw-test", compact: false);
        if (flexibleHeader)
        {
            writer.WriteUnsignedVarint(0);
        }

        body?.Write(writer, version);
        BinaryPrimitives.WriteInt32BigEndian(writer.WrittenSpan, writer.Length - 4);
        return writer.WrittenSpan.ToArray();
    }

    public Task SendAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    public Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => _stream.WriteAsync(bytes, cancellationToken).AsTask();

    /// <summary>The next response frame's bytes after the size, or null when the server closed (or reset) the connection.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            var size = new byte[4];
            if (!await ReadExactlyAsync(size, cancel.Token))
            {
                return null;
            }

            var body = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
            return await ReadExactlyAsync(body, cancel.Token) ? body : null;
        }
        catch (IOException exception) when (exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return null; // closed with our unread request still in its buffer
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
