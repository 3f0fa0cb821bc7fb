using System.Text.Json;

namespace Herald.Cli.Commands;

/// <summary>A stored event as <c>herald streams read --output json</c> prints it; a JSON body is shown as JSON.</summary>
internal sealed record EventJson(string Stream, long Version, long Position, Guid EventId, string Type, DateTimeOffset Timestamp, JsonElement? Data, string? DataText, string? CorrelationId, string? CausationId, string? TraceParent);

/// <summary>What <c>herald streams append --output json</c> prints.</summary>
internal sealed record AppendJson(string Stream, long NextExpectedVersion, long Position, Guid EventId);
