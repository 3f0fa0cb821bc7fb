using System.Buffers.Binary;
using System.Text;
using Herald.Storage;

namespace Herald.EventSourcing.Embedded;

/// <summary>
/// One event as one record of the store's log: the stream id as the key, the body as the value, and the id, type,
/// version and trace fields as headers. An append's events share one record batch, so they are stored all or none.
/// </summary>
internal static class StoredEventCodec
{
    private const string Id = "id";
    private const string Type = "type";
    private const string Version = "version";
    private const string Correlation = "correlation";
    private const string Causation = "causation";
    private const string Trace = "traceparent";
    private const string SnapshotSchema = "snapshot";
    private const string StreamStateHeader = "stream-state";

    public static void Add(RecordBatchBuilder batch, string streamId, long version, EventData e, long timestamp)
    {
        var id = new byte[16];
        e.EventId.TryWriteBytes(id, bigEndian: true, out _);
        var versionBytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(versionBytes, version);
        Span<RecordHeader> headers = [
            new(Id, id),
            new(Type, Encoding.UTF8.GetBytes(e.Type)),
            new(Version, versionBytes),
            new(Correlation, Utf8(e.CorrelationId)),
            new(Causation, Utf8(e.CausationId)),
            new(Trace, Utf8(e.TraceParent)),
        ];
        batch.Add(timestamp, Encoding.UTF8.GetBytes(streamId), e.Data, headers[..(e.TraceParent is not null ? 6 : e.CausationId is not null ? 5 : e.CorrelationId is not null ? 4 : 3)]);
    }

    /// <summary>A snapshot as a record of the same log, told apart by its schema header; it is no event.</summary>
    public static void AddSnapshot(RecordBatchBuilder batch, string streamId, Snapshot snapshot, long timestamp)
    {
        var schema = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(schema, snapshot.SchemaVersion);
        var version = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(version, snapshot.Version);
        batch.Add(timestamp, Encoding.UTF8.GetBytes(streamId), snapshot.Data, [new(SnapshotSchema, schema), new(Version, version)]);
    }

    public static bool IsSnapshot(in Record record) => record.Headers.Count > 0 && record.Headers[0].Key == SnapshotSchema;

    /// <summary>A record that is no event: a snapshot, or a change of a stream's metadata or life cycle.</summary>
    public static bool IsControl(in Record record) => record.Headers.Count > 0 && record.Headers[0].Key is SnapshotSchema or StreamStateHeader;

    public static void AddStreamState(RecordBatchBuilder batch, string streamId, StreamState state, long timestamp)
    {
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new StoredStreamState(state.Metadata.MaxCount, (long?)state.Metadata.MaxAge?.TotalMilliseconds, state.Metadata.TruncateBefore, state.Deleted, state.Tombstoned));
        batch.Add(timestamp, Encoding.UTF8.GetBytes(streamId), json, [new(StreamStateHeader, null)]);
    }

    public static bool IsStreamState(in Record record) => record.Headers.Count > 0 && record.Headers[0].Key == StreamStateHeader;

    public static (string StreamId, StreamState State) ReadStreamState(in Record record)
    {
        var stored = record.Key is { } key && record.Value is { } value ? System.Text.Json.JsonSerializer.Deserialize<StoredStreamState>(value.Span) : null;
        if (stored is null)
        {
            throw new InvalidDataException($"The stream state record at position {record.Offset} is malformed.");
        }

        var metadata = new StreamMetadata { MaxCount = stored.MaxCount, MaxAge = stored.MaxAgeMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, TruncateBefore = stored.TruncateBefore };
        return (Encoding.UTF8.GetString(record.Key!.Value.Span), new StreamState(metadata, stored.Deleted, stored.Tombstoned));
    }

    private sealed record StoredStreamState(long? MaxCount, long? MaxAgeMs, long? TruncateBefore, bool Deleted, bool Tombstoned);

    public static (string StreamId, Snapshot Snapshot) ReadSnapshot(in Record record)
    {
        var headers = record.Headers;
        if (record.Key is not { } key || headers.Count != 2 || headers[0].Value is not { Length: 4 } schema || headers[1].Value is not { Length: 8 } version)
        {
            throw new InvalidDataException($"The snapshot record at position {record.Offset} is malformed.");
        }

        return (Encoding.UTF8.GetString(key.Span), new Snapshot(BinaryPrimitives.ReadInt64BigEndian(version.Span), BinaryPrimitives.ReadInt32BigEndian(schema.Span), record.Value ?? ReadOnlyMemory<byte>.Empty));
    }

    /// <summary>The event a stored record holds.</summary>
    /// <exception cref="InvalidDataException">The record is not an event of this store.</exception>
    public static RecordedEvent Read(in Record record)
    {
        if (record.Key is not { } key)
        {
            throw new InvalidDataException($"The record at position {record.Offset} has no stream id.");
        }

        Guid? id = null;
        string? type = null, correlation = null, causation = null, trace = null;
        long? version = null;
        foreach (var header in record.Headers)
        {
            var value = header.Value ?? ReadOnlyMemory<byte>.Empty;
            switch (header.Key)
            {
                case Id when value.Length == 16: id = new Guid(value.Span, bigEndian: true); break;
                case Type: type = Encoding.UTF8.GetString(value.Span); break;
                case Version when value.Length == 8: version = BinaryPrimitives.ReadInt64BigEndian(value.Span); break;
                case Correlation: correlation = Text(value); break;
                case Causation: causation = Text(value); break;
                case Trace: trace = Text(value); break;
            }
        }

        if (id is null || type is null || version is null)
        {
            throw new InvalidDataException($"The record at position {record.Offset} lacks an event id, type or version.");
        }

        return new RecordedEvent(Encoding.UTF8.GetString(key.Span), version.Value, record.Offset, id.Value, type, record.Value ?? ReadOnlyMemory<byte>.Empty, DateTimeOffset.FromUnixTimeMilliseconds(record.Timestamp))
        {
            CorrelationId = correlation,
            CausationId = causation,
            TraceParent = trace,
        };
    }

    private static byte[]? Utf8(string? text) => text is null ? null : Encoding.UTF8.GetBytes(text);

    private static string? Text(ReadOnlyMemory<byte> value) => value.IsEmpty ? null : Encoding.UTF8.GetString(value.Span);
}
