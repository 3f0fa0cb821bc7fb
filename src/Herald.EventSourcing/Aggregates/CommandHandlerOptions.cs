namespace Herald.EventSourcing;

/// <summary>How a <see cref="CommandHandler{TState, TCommand}"/> meets a concurrent writer.</summary>
public sealed class CommandHandlerOptions
{
    /// <summary>
    /// How many times a command is decided again, on fresh state, when another writer appended first. Defaults to 3;
    /// after that the <see cref="WrongExpectedVersionException"/> reaches the caller.
    /// </summary>
    public int MaxConflictRetries { get; set; } = 3;
}
