namespace Herald.EventSourcing;

/// <summary>What handling a command did.</summary>
/// <param name="State">The state after the command.</param>
/// <param name="Version">The stream's version after it, or null when the stream still has no events.</param>
/// <param name="Events">The events it appended; empty when it decided nothing.</param>
public sealed record CommandResult<TState>(TState State, long? Version, IReadOnlyList<object> Events)
{
    /// <summary>
    /// The global position of the last event appended, or null when none was: wait for a projection to pass it with
    /// <c>ProjectionManager.WaitForAsync(name, Position + 1)</c> to read what the command wrote.
    /// </summary>
    public long? Position { get; init; }
}
