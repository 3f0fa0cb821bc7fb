using System.Globalization;

namespace Herald.EventSourcing;

/// <summary>
/// What an append expects of its stream, checked atomically with the write: anything, no stream yet, a stream that
/// exists, or an exact version (the version of its last event, counting from 0).
/// </summary>
public readonly record struct ExpectedVersion
{
    private const long AnyValue = -2;
    private const long NoStreamValue = -1;
    private const long StreamExistsValue = -4;

    private ExpectedVersion(long value) => Value = value;

    /// <summary>No check: the events go at the end of the stream, whatever it holds.</summary>
    public static ExpectedVersion Any { get; } = new(AnyValue);

    /// <summary>The stream must not exist yet (or must have been deleted softly and hold nothing).</summary>
    public static ExpectedVersion NoStream { get; } = new(NoStreamValue);

    /// <summary>The stream must hold at least one event.</summary>
    public static ExpectedVersion StreamExists { get; } = new(StreamExistsValue);

    /// <summary>The version of the stream's last event, as the caller read it.</summary>
    internal long Value { get; }

    /// <summary>The exact version expected, or null for <see cref="Any"/>, <see cref="NoStream"/> and <see cref="StreamExists"/>.</summary>
    public long? Exact => Value >= 0 ? Value : null;

    /// <summary>The stream's last event must be at <paramref name="version"/>.</summary>
    public static ExpectedVersion Exactly(long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        return new ExpectedVersion(version);
    }

    /// <summary>
    /// Whether a stream whose last event is at <paramref name="last"/> (deleted or not) and whose readers see up to
    /// <paramref name="visible"/> is where this expects it: a soft-deleted stream counts as no stream, but its versions
    /// go on, so an exact version is checked against the last one.
    /// </summary>
    internal bool IsMetBy(long? last, long? visible) => Value switch
    {
        AnyValue => true,
        NoStreamValue => visible is null,
        StreamExistsValue => visible is not null,
        var exact => last == exact,
    };

    /// <summary>Same as <see cref="Exactly"/>.</summary>
    public static implicit operator ExpectedVersion(long version) => Exactly(version);

    /// <summary>As people read it: any, no stream, stream exists, or the version.</summary>
    public override string ToString() => Value switch
    {
        AnyValue => "any",
        NoStreamValue => "no stream",
        StreamExistsValue => "stream exists",
        _ => Value.ToString(CultureInfo.InvariantCulture),
    };
}
