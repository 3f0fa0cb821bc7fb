using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;
using Herald.Security;

namespace Herald.Kafka.Internal;

/// <summary>
/// One client connection. Requests are read and started in order, up to a bound, and answered in the same order; while
/// the bound is reached, the request memory budget is spent, or the client does not read its responses, nothing more is
/// read from it. A request's bytes are copied out of the socket's pipe as they arrive, into memory reserved for the
/// size its prefix states, so nothing buffers a request beyond that reservation.
/// </summary>
internal sealed class KafkaConnection
{
    private const int MinimumHeaderBytes = 8; // api key, version, correlation id
    private const int KeptWriterBytes = 1024 * 1024;
    private readonly Func<CancellationToken, Task<OpenedTransport>> _open;
    private readonly string _client;
    private readonly ListenerServices _services;
    private readonly KafkaServerOptions _options;
    private readonly RequestMemoryBudget _budget;
    private readonly Utf8StringCache _strings = new();
    private readonly CancellationTokenSource _stop;

    // One fetch at a time per connection, as every Kafka client sends them: see RequestContext.FetchTurn.
    private readonly SemaphoreSlim _fetchTurn = new(1, 1);

    // What the server's sweeper looks at, in Environment.TickCount64 milliseconds.
    private long _lastActivity = Environment.TickCount64;
    private long _partialSince;
    private int _inFlight;
    private string? _closeReason;
    private ConnectionSession? _session;

    /// <param name="open">Opens the transport: TLS handshake and all; the connection is closed if it fails.</param>
    /// <param name="client">The client's address, for logs.</param>
    /// <param name="services">What the listener's connections share.</param>
    /// <param name="stopping">Set when the server stops.</param>
    public KafkaConnection(Func<CancellationToken, Task<OpenedTransport>> open, string client, ListenerServices services, CancellationToken stopping)
    {
        _open = open;
        _client = client;
        _services = services;
        _options = services.Options;
        _budget = services.Budget;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    /// <summary>A connection on a socket, which it owns, in TLS when the listener's protocol says so.</summary>
    public static KafkaConnection ForSocket(Socket socket, ListenerServices services, CancellationToken stopping)
    {
        var client = socket.RemoteEndPoint?.ToString() ?? "unknown";
        return new KafkaConnection(cancellationToken => OpenAsync(socket, services, cancellationToken), client, services, stopping);
    }

    private static async Task<OpenedTransport> OpenAsync(Socket socket, ListenerServices services, CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        X509Certificate2? certificate = null;
        if (services.Security.Tls is { } tls)
        {
            (stream, certificate) = await tls.AuthenticateAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        return new OpenedTransport(new StreamTransport(PipeReader.Create(stream), PipeWriter.Create(stream)), certificate);
    }

    /// <summary>
    /// Closes the connection when it has waited too long: a request begun and not finished within
    /// <see cref="KafkaServerOptions.PartialRequestTimeout"/>, or nothing sent or answered for
    /// <see cref="KafkaServerOptions.ConnectionsMaxIdle"/>. Called by the server from its sweeper, on any thread.
    /// </summary>
    public void CloseIfExpired(long now)
    {
        var partialSince = Volatile.Read(ref _partialSince);
        if (partialSince != 0 && now - partialSince > (long)_options.PartialRequestTimeout.TotalMilliseconds)
        {
            Close($"a request was not completed within {_options.PartialRequestTimeout.TotalSeconds:0.###} s");
        }
        else if (_session is { } session && session.AuthenticationOverdue(now))
        {
            Close($"it did not authenticate within {_options.AuthenticationTimeout.TotalSeconds:0.###} s");
        }
        else if (partialSince == 0 && Volatile.Read(ref _inFlight) == 0
            && now - Volatile.Read(ref _lastActivity) > (long)_options.ConnectionsMaxIdle.TotalMilliseconds)
        {
            Close($"idle for {_options.ConnectionsMaxIdle.TotalSeconds:0.###} s");
        }
    }

    public async Task RunAsync()
    {
        if (await OpenOrCloseAsync().ConfigureAwait(false) is not { } transport)
        {
            return;
        }

        var input = transport.Input;
        var output = transport.Output;
        var inFlight = Channel.CreateBounded<PendingResponse>(new BoundedChannelOptions(_options.MaxInFlightRequestsPerConnection) { SingleReader = true, SingleWriter = true });
        var writing = WriteResponsesAsync(inFlight.Reader, output);
        try
        {
            await ReadRequestsAsync(input, inFlight.Writer, _stop.Token).ConfigureAwait(false);
        }
        catch (KafkaProtocolException exception)
        {
            _services.Warn(suppressed => Log.MalformedRequest(_services.Logger, _client, exception.Message, suppressed));
        }
        catch (RefusedRequestException exception)
        {
            _services.Security.AuditRefusal(_client, _session!.Principal.ToString(), exception.Message);
        }
        catch (Exception exception) when (IsDisconnect(exception))
        {
            // The client went away, the writer gave up, the sweeper closed it, or the server is stopping.
        }
        finally
        {
            // As Kafka does once a client is gone or has sent garbage: nothing still waiting for it (a long fetch, say)
            // is kept, and no more is answered.
            Stop();
            inFlight.Writer.TryComplete();
            await writing.ConfigureAwait(false); // never throws: the writer handles its own failures
            while (inFlight.Reader.TryRead(out var unanswered))
            {
                await AbandonAsync(unanswered).ConfigureAwait(false); // queued after the writer stopped
            }

            await input.CompleteAsync().ConfigureAwait(false);
            if (Volatile.Read(ref _closeReason) is { } reason)
            {
                _services.Warn(suppressed => Log.ConnectionExpired(_services.Logger, _client, reason, suppressed));
            }

            Log.ConnectionClosed(_services.Logger, _client);
            _stop.Dispose();
            _fetchTurn.Dispose();
        }
    }

    /// <summary>Opens the transport (the TLS handshake, bounded like a partial request), or ends the connection.</summary>
    private async Task<IDuplexPipe?> OpenOrCloseAsync()
    {
        Volatile.Write(ref _partialSince, Environment.TickCount64);
        try
        {
            var opened = await _open(_stop.Token).ConfigureAwait(false);
            var principal = opened.ClientCertificate is { } certificate ? CertificatePrincipal.From(certificate) : Principal.Anonymous;
            _session = new ConnectionSession(_services, _client, principal);
            if (opened.ClientCertificate is not null)
            {
                _services.Security.AuditAuthentication(_session, "a TLS client certificate", succeeded: true, reason: null);
            }

            return opened.Pipe;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            if (!_stop.IsCancellationRequested && exception is not (IOException or SocketException or ObjectDisposedException))
            {
                var reason = exception is OperationCanceledException ? "the TLS handshake did not complete in time" : $"the TLS handshake failed: {exception.Message}";
                _services.Security.AuditRefusal(_client, Principal.Anonymous.ToString(), reason);
            }

            Log.ConnectionClosed(_services.Logger, _client);
            _stop.Dispose();
            _fetchTurn.Dispose();
            return null;
        }
        finally
        {
            Volatile.Write(ref _partialSince, 0);
        }
    }

    private void Close(string reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is null)
        {
            Stop();
        }
    }

    private void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It ended meanwhile.
        }
        catch (AggregateException exception)
        {
            // Something waiting on the connection failed as it was cancelled; the connection ends all the same.
            Log.WriteFailed(_services.Logger, exception, _client);
        }
    }

    private static bool IsDisconnect(Exception exception) =>
        exception is OperationCanceledException or IOException or SocketException or ObjectDisposedException or ChannelClosedException;

    private async Task ReadRequestsAsync(PipeReader input, ChannelWriter<PendingResponse> inFlight, CancellationToken cancellationToken)
    {
        var frame = default(RequestFrame);
        var filled = -1; // bytes of the current frame read so far; -1 while between frames
        var reserved = 0; // bytes reserved for the next frame after waiting for the budget
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _lastActivity, Environment.TickCount64);
                var buffer = read.Buffer;
                var mustWaitFor = 0;
                try
                {
                    while (true)
                    {
                        if (filled < 0)
                        {
                            if (buffer.Length < 4)
                            {
                                break;
                            }

                            var length = ReadLength(buffer);
                            if (reserved != length && !_budget.TryReserve(length))
                            {
                                mustWaitFor = length;
                                break;
                            }

                            reserved = length; // held here until the frame owns it
                            buffer = buffer.Slice(4);
                            frame = Allocate(length);
                            reserved = 0;
                            filled = 0;
                            Volatile.Write(ref _partialSince, Environment.TickCount64);
                        }

                        var take = (int)Math.Min(buffer.Length, frame.Length - filled);
                        buffer.Slice(0, take).CopyTo(frame.Memory.Span[filled..]);
                        buffer = buffer.Slice(take);
                        filled += take;
                        if (filled < frame.Length)
                        {
                            break;
                        }

                        filled = -1;
                        Volatile.Write(ref _partialSince, 0);
                        var pending = Start(frame, cancellationToken);
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
                    // While waiting for the budget the prefix stays unread, and is looked at again once there is room.
                    input.AdvanceTo(buffer.Start, mustWaitFor > 0 ? buffer.Start : buffer.End);
                }

                if (mustWaitFor > 0)
                {
                    await _budget.ReserveAsync(mustWaitFor, cancellationToken).ConfigureAwait(false);
                    reserved = mustWaitFor;
                }
                else if (read.IsCompleted)
                {
                    if (filled >= 0 || !buffer.IsEmpty)
                    {
                        throw new KafkaProtocolException($"The connection ended inside a request ({(filled >= 0 ? filled + 4 : buffer.Length)} bytes of it read).");
                    }

                    return;
                }
            }
        }
        finally
        {
            if (filled >= 0)
            {
                frame.Release(_budget);
            }

            if (reserved > 0)
            {
                _budget.Release(reserved);
            }
        }
    }

    private static RequestFrame Allocate(int length)
    {
        try
        {
            return RequestFrame.Allocate(length);
        }
        catch (OutOfMemoryException exception)
        {
            throw new KafkaProtocolException($"No memory could be had for a request of {length} bytes: {exception.Message}");
        }
    }

    private int ReadLength(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        var max = _session!.MaxRequestBytes;
        if (length < MinimumHeaderBytes || length > max)
        {
            var setting = max == _options.MaxRequestBytes ? "socket.request.max.bytes" : "sasl.server.max.receive.size, before authentication";
            throw new KafkaProtocolException($"A request of {length} bytes is outside the accepted {MinimumHeaderBytes} to {max} bytes ({setting}).");
        }

        return length;
    }

    /// <summary>
    /// Parses the header and starts the handler, then releases the frame: as in Kafka, a request holds its memory until it
    /// is parsed, not until it is answered. Handlers take what they need from the bytes before they first wait (Produce
    /// appends its batches by then), so a client that does not read its responses holds no request memory.
    /// </summary>
    private PendingResponse Start(RequestFrame frame, CancellationToken cancellationToken)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            var body = frame.Memory;
            var reader = new KafkaReader(body, _strings);
            var (apiKey, version, correlationId, clientId) = RequestHeader.Read(ref reader);
            if (_session!.Refusal(apiKey) is { } refusal)
            {
                throw new RefusedRequestException(refusal);
            }

            var context = new RequestContext(apiKey, version, correlationId, clientId, _client, _session, _fetchTurn);
            var api = _services.Apis.Find(apiKey);
            var bodyStart = reader.Position;
            Interlocked.Increment(ref _inFlight);
            if (api is null || context.ApiVersion < api.MinVersion || context.ApiVersion > api.MaxVersion)
            {
                WarnUnsupported(context);
                return new PendingResponse(context, ValueTask.FromResult<IKafkaMessage?>(Unsupported(context.ApiKey)), Started: started);
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

            return new PendingResponse(context, handling, TakesFetchTurn: context.ApiKey == FetchRequest.ApiKey, api.Name, started);
        }
        finally
        {
            frame.Release(_budget);
        }
    }

    // Apart from the hot path, so that its closure is made only when there is something to say.
    private void WarnUnsupported(RequestContext context) =>
        _services.Warn(suppressed => Log.UnsupportedVersion(_services.Logger, _client, context.ApiKey, context.ApiVersion, suppressed));

    private IKafkaMessage Unsupported(short apiKey) => apiKey == ApiVersionsRequest.ApiKey
        ? new ApiVersionsResponse
        {
            ErrorCode = (short)Broker.ErrorCode.UnsupportedVersion,
            ApiKeys = [.. _services.Apis.All.Select(a => new ApiVersionsResponse.ApiVersion { ApiKey = a.Key, MinVersion = a.MinVersion, MaxVersion = a.MaxVersion })],
        }
        : new ErrorOnlyResponse((short)Broker.ErrorCode.UnsupportedVersion);

    /// <summary>Writes responses in request order. Never throws: any failure is logged and stops the connection.</summary>
    private async Task WriteResponsesAsync(ChannelReader<PendingResponse> inFlight, PipeWriter output)
    {
        var writer = new KafkaWriter(4096);
        try
        {
            await foreach (var pending in inFlight.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                var holdsFetchTurn = false;
                var last = false;
                try
                {
                    IKafkaMessage? message = null;
                    try
                    {
                        message = await AwaitHandlerAsync(pending).ConfigureAwait(false);
                        holdsFetchTurn = pending.TakesFetchTurn;
                        if (message is null || _stop.IsCancellationRequested)
                        {
                            continue; // acks=0 gets no response; a stopping connection answers nothing more
                        }

                        last = message is FinalResponse;
                        Frame(writer, pending.Context, message is FinalResponse final ? final.Response : message);
                    }
                    finally
                    {
                        (message as IDisposable)?.Dispose();
                        Interlocked.Decrement(ref _inFlight);
                    }

                    await output.WriteAsync(writer.WrittenMemory, _stop.Token).ConfigureAwait(false);
                    KafkaTelemetry.Answered(pending.Api ?? "Unsupported", pending.Started);
                    if (last)
                    {
                        await output.FlushAsync(_stop.Token).ConfigureAwait(false);
                        return; // the finally stops the connection
                    }

                    if (writer.Capacity > KeptWriterBytes)
                    {
                        writer.Dispose(); // one large response must not pin its buffer for the life of the connection
                        writer = new KafkaWriter(4096);
                    }

                    if (!inFlight.TryPeek(out _))
                    {
                        await output.FlushAsync(_stop.Token).ConfigureAwait(false);
                    }

                    Volatile.Write(ref _lastActivity, Environment.TickCount64);
                }
                finally
                {
                    if (holdsFetchTurn)
                    {
                        _fetchTurn.Release(); // only now: its response is written, not just built
                    }
                }
            }
        }
        catch (KafkaProtocolException exception)
        {
            _services.Warn(suppressed => Log.MalformedRequest(_services.Logger, _client, exception.Message, suppressed));
        }
        catch (Exception exception) when (IsDisconnect(exception) || exception is HandlerFailedException)
        {
        }
        catch (Exception exception)
        {
            Log.WriteFailed(_services.Logger, exception, _client);
        }
        finally
        {
            writer.Dispose();
            Stop();
            while (inFlight.TryRead(out var abandoned))
            {
                await AbandonAsync(abandoned).ConfigureAwait(false);
            }

            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a request that will not be answered, so its buffers and its fetch turn are given back.</summary>
    private async ValueTask AbandonAsync(PendingResponse pending)
    {
        try
        {
            var message = await pending.Response.ConfigureAwait(false);
            (message as IDisposable)?.Dispose();
            if (pending.TakesFetchTurn)
            {
                _fetchTurn.Release();
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Its connection is closing; the failure has no one to go to.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
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
            Log.HandlerFailed(_services.Logger, exception, _client, pending.Context.ApiKey, pending.Context.ApiVersion);
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

    /// <summary>A request the client may not send now: before it authenticated, or after its session expired.</summary>
    private sealed class RefusedRequestException(string message) : Exception(message);

    private sealed record StreamTransport(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    /// <param name="Context">The request.</param>
    /// <param name="Response">Its handler, running.</param>
    /// <param name="TakesFetchTurn">A fetch whose handler runs: once it answers it holds the connection's fetch turn.</param>
    /// <param name="Api">The API's name for the latency metric; null for one this listener does not serve.</param>
    /// <param name="Started">When the request was taken up (Stopwatch ticks).</param>
    private readonly record struct PendingResponse(RequestContext Context, ValueTask<IKafkaMessage?> Response, bool TakesFetchTurn = false, string? Api = null, long Started = 0);

    /// <summary>The answer to an API or version Herald does not know: the response header and an error code.</summary>
    private sealed class ErrorOnlyResponse(short errorCode) : IKafkaMessage
    {
        public void Write(KafkaWriter writer, short version) => writer.WriteInt16(errorCode);
    }
}

/// <summary>A connection's open transport, and the certificate the client presented over TLS, if any.</summary>
internal readonly record struct OpenedTransport(IDuplexPipe Pipe, X509Certificate2? ClientCertificate);
