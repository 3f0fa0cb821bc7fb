namespace Herald.Kafka.Internal;

/// <summary>What a handler knows about the request it answers, besides its body.</summary>
/// <param name="ApiKey">The API the request is for.</param>
/// <param name="ApiVersion">Its version.</param>
/// <param name="CorrelationId">The client's id for matching the response.</param>
/// <param name="ClientId">The client's name for itself, when it gave one.</param>
/// <param name="ClientHost">The address the request came from.</param>
/// <param name="Session">Who the client is, and where its authentication stands.</param>
/// <param name="FetchTurn">
/// The connection's one fetch at a time: a fetch waits for it once its request is parsed, and holds it until its response
/// is written, so a client that stops reading holds at most one fetch response.
/// </param>
internal readonly record struct RequestContext(short ApiKey, short ApiVersion, int CorrelationId, string? ClientId, string ClientHost, ConnectionSession Session, SemaphoreSlim FetchTurn);
