namespace Herald.EventSourcing.Embedded;

/// <summary>A stream's metadata and life cycle as recorded in the log: soft-deleted (empty until its next append) or tombstoned (gone for good).</summary>
internal sealed record StreamState(StreamMetadata Metadata, bool Deleted, bool Tombstoned)
{
    public static StreamState Default { get; } = new(new StreamMetadata(), false, false);
}
