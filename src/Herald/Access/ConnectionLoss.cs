using Confluent.Kafka;

namespace Herald.Cli.Access;

/// <summary>
/// Notices when librdkafka reports that the server can't be reached any more. The CLI talks to one server, so "all
/// brokers down" means it is gone: a command then stops with the reason instead of waiting out its timeouts.
/// </summary>
internal sealed class ConnectionLoss(string server) : IDisposable
{
    private readonly CancellationTokenSource _lost = new();
    private string? _reason;
    private bool _refused;

    /// <summary>Cancelled once the server is lost.</summary>
    public CancellationToken Token => _lost.Token;

    /// <summary>For the clients' error handlers.</summary>
    public void Report(Error error)
    {
        var refused = error.Code is Confluent.Kafka.ErrorCode.Local_Authentication or Confluent.Kafka.ErrorCode.SaslAuthenticationFailed;
        if (error.Code == Confluent.Kafka.ErrorCode.Local_AllBrokersDown || error.IsFatal || refused)
        {
            _refused |= refused;
            _reason ??= error.Reason;
            _ = _lost.CancelAsync(); // this runs on a client's poll thread: waiters must go on elsewhere
        }
    }

    public CliException Failure() => _refused
        ? new($"The server at {server} refused this client's credentials: {_reason}. Check the security settings in --client-config.")
        : new($"The connection to the server at {server} was lost: {_reason}.");

    public void ThrowIfLost()
    {
        if (_lost.IsCancellationRequested)
        {
            throw Failure();
        }
    }

    /// <summary>
    /// Waits for a request, but ends it with the reason as soon as the server is lost or refuses this client, rather
    /// than after its timeout.
    /// </summary>
    public async Task WhileConnectedAsync(Task request, CancellationToken cancellationToken = default)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Token);
        try
        {
            await request.WaitAsync(either.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or KafkaException && Token.IsCancellationRequested)
        {
            throw Failure();
        }
    }

    /// <inheritdoc cref="WhileConnectedAsync(Task, CancellationToken)"/>
    public async Task<T> WhileConnectedAsync<T>(Task<T> request, CancellationToken cancellationToken = default)
    {
        await WhileConnectedAsync((Task)request, cancellationToken).ConfigureAwait(false);
        return await request.ConfigureAwait(false);
    }

    public void Dispose() => _lost.Dispose();
}
