namespace Herald.Storage;

/// <summary>A decoded record batch: its header and its records, decompressed.</summary>
public readonly record struct RecordBatch
{
    private readonly IReadOnlyList<Record>? _records;

    /// <summary>Creates a decoded batch.</summary>
    public RecordBatch(RecordBatchHeader header, IReadOnlyList<Record>? records)
    {
        Header = header;
        _records = records;
    }

    /// <summary>The batch header as it was on the wire.</summary>
    public RecordBatchHeader Header { get; init; }

    /// <summary>The records in wire order; empty, never null.</summary>
    public IReadOnlyList<Record> Records
    {
        get => _records ?? [];
        init => _records = value;
    }
}
