namespace Herald.EventSourcing;

/// <summary>Where an append left its stream.</summary>
/// <param name="NextExpectedVersion">The version of the stream's last event: what the next append expects.</param>
/// <param name="Position">The global position of the last event appended.</param>
public readonly record struct AppendResult(long NextExpectedVersion, long Position);
