namespace Herald.Client;

/// <summary>
/// What travels with every event besides its body (the envelope), written as CloudEvents attributes.
/// </summary>
/// <param name="Id">Unique per event (a UUIDv7, so ids sort by time); kept by retries and redrives, so idempotency holds.</param>
/// <param name="Type">The wire name and version.</param>
/// <param name="Source">Who produced it, as a URI reference (CloudEvents <c>source</c>), such as <c>/orders-service</c>.</param>
/// <param name="Time">When it happened.</param>
/// <param name="Key">The ordering key (CloudEvents <c>subject</c>, and the Kafka record key); null for none.</param>
/// <param name="CorrelationId">The id shared by everything one request caused.</param>
/// <param name="CausationId">The id of the event or command that caused this one.</param>
/// <param name="TraceParent">The W3C <c>traceparent</c> of the span that published it.</param>
/// <param name="TraceState">The W3C <c>tracestate</c>, if any.</param>
public sealed record EventMetadata(
    Guid Id,
    EventTypeName Type,
    string Source,
    DateTimeOffset Time,
    string? Key,
    string? CorrelationId,
    string? CausationId,
    string? TraceParent,
    string? TraceState);
