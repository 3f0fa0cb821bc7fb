using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;
using Microsoft.Extensions.Logging;

namespace Herald.Kafka.Internal;

/// <summary>
/// One client connection. Requests are read and started in order, up to a bound, and answered in the same order; while
/// the bound is reached, or the client does not read its responses, nothing more is read from it.
/// </summary>
internal sealed class KafkaConnection(IDuplexPipe transport, string client, KafkaApis apis, KafkaServerOptions options, ILogger logger)
{
    private const int MinimumHeaderBytes = 8; // api key, version, correlation id
    private const int KeptWriterBytes = 1024 * 1024;
    private readonly string _client = client;
    private readonly Utf8StringCache _strings = new();

    /// <summary>Serves a connected socket until either side closes it.</summary>
    public static async Task RunAsync(Socket socket, KafkaApis apis, KafkaServerOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var client = socket.RemoteEndPoint?.ToString() ?? "unknown";
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var transport = new StreamTransport(PipeReader.Create(stream), PipeWriter.Create(stream));
        await new KafkaConnection(transport, client, apis, options, logger).RunAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var input = transport.Input;
        var output = transport.Output;
        var inFlight = Channel.CreateBounded<PendingResponse>(new BoundedChannelOptions(options.MaxInFlightRequestsPerConnection) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writing = WriteResponsesAsync(inFlight.Reader, output, stop);
        try
        {
            await ReadRequestsAsync(input, inFlight.Writer, stop.Token).ConfigureAwait(false);
        }
        catch (KafkaProtocolException exception)
        {
            Log.MalformedRequest(logger, _client, exception.Message);
        }
        catch (Exception exception) when (IsDisconnect(exception))
        {
            // The client went away, the writer gave up, or the server is stopping.
        }
        finally
        {
            inFlight.Writer.TryComplete();
            await writing.ConfigureAwait(false); // never throws: the writer handles its own failures
            while (inFlight.Reader.TryRead(out var unanswered))
            {
                await AbandonAsync(unanswered).ConfigureAwait(false); // queued after the writer stopped
            }
            await input.CompleteAsync().ConfigureAwait(false);
            Log.ConnectionClosed(logger, _client);
        }
    }

    private static bool IsDisconnect(Exception exception) =>
        exception is OperationCanceledException or IOException or SocketException or ObjectDisposedException or ChannelClosedException;

    private async Task ReadRequestsAsync(PipeReader input, ChannelWriter<PendingResponse> inFlight, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            try
            {
                while (TryTakeFrame(ref buffer, out var frame, out var length))
                {
                    var pending = Start(frame, length, cancellationToken);
                    if (!inFlight.TryWrite(pending))
                    {
                        try
                        {
                            await inFlight.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
                        }
                        catch
                        {
                            await AbandonAsync(pending).ConfigureAwait(false);
                            throw;
                        }
                    }
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (read.IsCompleted)
            {
                if (!buffer.IsEmpty)
                {
                    throw new KafkaProtocolException($"The connection ended inside a request ({buffer.Length} bytes unread).");
                }

                return;
            }
        }
    }

    private bool TryTakeFrame(ref ReadOnlySequence<byte> buffer, out byte[] frame, out int length)
    {
        frame = [];
        length = 0;
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length < MinimumHeaderBytes || length > options.MaxRequestBytes)
        {
            throw new KafkaProtocolException($"A request of {length} bytes is outside the accepted {MinimumHeaderBytes} to {options.MaxRequestBytes} bytes.");
        }

        if (buffer.Length < 4 + length)
        {
            return false;
        }

        frame = ArrayPool<byte>.Shared.Rent(length);
        buffer.Slice(4, length).CopyTo(frame);
        buffer = buffer.Slice(4 + length);
        return true;
    }

    /// <summary>Parses the header and starts the handler; the frame goes back to the pool once the response is written.</summary>
    private PendingResponse Start(byte[] frame, int length, CancellationToken cancellationToken)
    {
        var body = frame.AsMemory(0, length);
        RequestContext context;
        KafkaApi? api;
        int bodyStart;
        try
        {
            var reader = new KafkaReader(body, _strings);
            var (apiKey, version, correlationId, clientId) = RequestHeader.Read(ref reader);
            context = new RequestContext(apiKey, version, correlationId, clientId, _client);
            api = apis.Find(apiKey);
            bodyStart = reader.Position;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(frame);
            throw;
        }

        if (api is null || context.ApiVersion < api.MinVersion || context.ApiVersion > api.MaxVersion)
        {
            Log.UnsupportedVersion(logger, _client, context.ApiKey, context.ApiVersion);
            return new PendingResponse(context, frame, ValueTask.FromResult<IKafkaMessage?>(Unsupported(context.ApiKey)));
        }

        ValueTask<IKafkaMessage?> handling;
        try
        {
            handling = api.Handle(context, body[bodyStart..], _strings, cancellationToken);
        }
        catch (Exception exception)
        {
            handling = ValueTask.FromException<IKafkaMessage?>(exception);
        }

        return new PendingResponse(context, frame, handling);
    }

    private IKafkaMessage Unsupported(short apiKey) => apiKey == ApiVersionsRequest.ApiKey
        ? new ApiVersionsResponse
        {
            ErrorCode = (short)Broker.ErrorCode.UnsupportedVersion,
            ApiKeys = [.. apis.All.Select(a => new ApiVersionsResponse.ApiVersion { ApiKey = a.Key, MinVersion = a.MinVersion, MaxVersion = a.MaxVersion })],
        }
        : new ErrorOnlyResponse((short)Broker.ErrorCode.UnsupportedVersion);

    /// <summary>Writes responses in request order. Never throws: any failure is logged and stops the connection.</summary>
    private async Task WriteResponsesAsync(ChannelReader<PendingResponse> inFlight, PipeWriter output, CancellationTokenSource stop)
    {
        var writer = new KafkaWriter(4096);
        try
        {
            await foreach (var pending in inFlight.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                IKafkaMessage? message = null;
                try
                {
                    message = await AwaitHandlerAsync(pending).ConfigureAwait(false);
                    if (message is null || stop.IsCancellationRequested)
                    {
                        continue; // acks=0 gets no response; a stopping connection answers nothing more
                    }

                    Frame(writer, pending.Context, message);
                }
                finally
                {
                    (message as IDisposable)?.Dispose();
                    ArrayPool<byte>.Shared.Return(pending.Frame);
                }

                await output.WriteAsync(writer.WrittenMemory, stop.Token).ConfigureAwait(false);
                if (writer.Capacity > KeptWriterBytes)
                {
                    writer.Dispose(); // one large response must not pin its buffer for the life of the connection
                    writer = new KafkaWriter(4096);
                }

                if (!inFlight.TryPeek(out _))
                {
                    await output.FlushAsync(stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (KafkaProtocolException exception)
        {
            Log.MalformedRequest(logger, _client, exception.Message);
        }
        catch (Exception exception) when (IsDisconnect(exception) || exception is HandlerFailedException)
        {
        }
        catch (Exception exception)
        {
            Log.WriteFailed(logger, exception, _client);
        }
        finally
        {
            writer.Dispose();
            await stop.CancelAsync().ConfigureAwait(false);
            while (inFlight.TryRead(out var abandoned))
            {
                await AbandonAsync(abandoned).ConfigureAwait(false);
            }

            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a request that will not be answered, so its buffers go back to the pool.</summary>
    private static async ValueTask AbandonAsync(PendingResponse pending)
    {
        try
        {
            (await pending.Response.ConfigureAwait(false) as IDisposable)?.Dispose();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Its connection is closing; the failure has no one to go to.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pending.Frame);
        }
    }

    private async ValueTask<IKafkaMessage?> AwaitHandlerAsync(PendingResponse pending)
    {
        try
        {
            return await pending.Response.ConfigureAwait(false);
        }
        catch (Exception exception) when (!IsDisconnect(exception) && exception is not KafkaProtocolException)
        {
            // A bug, not the client's fault: this connection closes, the server and other connections go on.
            Log.HandlerFailed(logger, exception, _client, pending.Context.ApiKey, pending.Context.ApiVersion);
            throw new HandlerFailedException();
        }
    }

    private static void Frame(KafkaWriter writer, RequestContext context, IKafkaMessage message)
    {
        writer.Clear();
        writer.WriteInt32(0); // size, patched below
        var responseVersion = message is ApiVersionsResponse { ErrorCode: (short)Broker.ErrorCode.UnsupportedVersion } ? (short)0 : context.ApiVersion;
        RequestHeader.WriteResponse(writer, context.ApiKey, responseVersion, context.CorrelationId);
        message.Write(writer, responseVersion);
        BinaryPrimitives.WriteInt32BigEndian(writer.WrittenSpan, writer.Length - 4);
    }

    private sealed class HandlerFailedException : Exception;

    private sealed record StreamTransport(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private readonly record struct PendingResponse(RequestContext Context, byte[] Frame, ValueTask<IKafkaMessage?> Response);

    /// <summary>The answer to an API or version Herald does not know: the response header and an error code.</summary>
    private sealed class ErrorOnlyResponse(short errorCode) : IKafkaMessage
    {
        public void Write(KafkaWriter writer, short version) => writer.WriteInt16(errorCode);
    }
}
