namespace Herald.EventSourcing;

/// <summary>
/// An aggregate as three plain functions: the state before any event, what a command decides (the events it causes,
/// or an exception when it is refused), and how an event changes the state. Any records will do; no base class.
/// </summary>
/// <typeparam name="TState">The aggregate's state.</typeparam>
/// <typeparam name="TCommand">The commands it takes (a base record, or <see cref="object"/>).</typeparam>
/// <param name="Initial">The state of a stream with no events.</param>
/// <param name="Decide">The events a command causes in a state; none when there is nothing to do.</param>
/// <param name="Evolve">The state after one event.</param>
public sealed record Decider<TState, TCommand>(TState Initial, Func<TCommand, TState, IEnumerable<object>> Decide, Func<TState, object, TState> Evolve);
