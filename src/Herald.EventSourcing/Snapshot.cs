namespace Herald.EventSourcing;

/// <summary>An aggregate's state as of one version of its stream, stored beside the stream so loading reads only what follows.</summary>
/// <param name="Version">The version of the last event folded into it.</param>
/// <param name="SchemaVersion">The shape of the state it holds; a snapshot of another shape is ignored, never loaded wrong.</param>
/// <param name="Data">The state, JSON.</param>
public sealed record Snapshot(long Version, int SchemaVersion, ReadOnlyMemory<byte> Data);
