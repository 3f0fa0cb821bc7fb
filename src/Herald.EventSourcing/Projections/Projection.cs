namespace Herald.EventSourcing;

/// <summary>
/// A read model projected from <c>$all</c>. Derive from <see cref="StateProjection{TState}"/> (state kept in memory and
/// saved to a file together with its checkpoint; on either store) or <see cref="PostgresProjection"/> (tables written
/// in the same transaction as the checkpoint; on the PostgreSQL store).
/// </summary>
public abstract class Projection
{
    private protected Projection()
    {
    }

    /// <summary>Its name: letters, digits and underscores, starting with a letter; unique in the application.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The version of its code. Raising it builds the read model again from position 0 beside the current one, which
    /// keeps being served until the new one has caught up and takes over. Defaults to 1.
    /// </summary>
    public virtual int Version => 1;

    /// <summary>The events it is given. Defaults to every event whose type is registered with <c>AddEvent&lt;T&gt;()</c>.</summary>
    public virtual EventFilter Filter => EventFilter.None;

    internal abstract IProjectionStorage CreateStorage(ProjectionEnvironment environment);

    internal static void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 48 || !char.IsAsciiLetterLower(name[0]) || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"A projection's name is 1 to 48 lower-case letters, digits and underscores, starting with a letter; got '{name}'.");
        }
    }
}
