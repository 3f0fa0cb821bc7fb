namespace Herald.EventSourcing;

/// <summary>How a <see cref="CommandHandler{TState, TCommand}"/> meets a concurrent writer.</summary>
public sealed class CommandHandlerOptions
{
    /// <summary>
    /// How many times a command is decided again, on fresh state, when another writer appended first. Defaults to 3;
    /// after that the <see cref="WrongExpectedVersionException"/> reaches the caller.
    /// </summary>
    public int MaxConflictRetries { get; set; } = 3;

    /// <summary>
    /// Take a snapshot each time the stream passes a multiple of this many events, so loading reads the snapshot and
    /// only the events after it. 0 (the default) takes none.
    /// </summary>
    public int SnapshotEvery { get; set; }

    /// <summary>
    /// The shape of the state in snapshots. Raise it when the state's shape changes: older snapshots are then ignored
    /// and the state is rebuilt from the events, never loaded wrong. Defaults to 1.
    /// </summary>
    public int SnapshotSchemaVersion { get; set; } = 1;
}
