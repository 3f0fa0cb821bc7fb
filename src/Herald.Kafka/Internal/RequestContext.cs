namespace Herald.Kafka.Internal;

/// <summary>What a handler knows about the request it answers, besides its body.</summary>
internal readonly record struct RequestContext(short ApiKey, short ApiVersion, int CorrelationId, string? ClientId, string ClientHost);
