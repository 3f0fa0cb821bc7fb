namespace Herald.Storage;

/// <summary>Why a record batch was refused. Nothing of a refused append is written.</summary>
public enum BatchError
{
    /// <summary>The batch is valid.</summary>
    None = 0,

    /// <summary>Fewer bytes than a batch header, or an empty record set.</summary>
    TooShort,

    /// <summary>The batchLength field disagrees with the bytes supplied.</summary>
    LengthMismatch,

    /// <summary>The magic byte is not 2. Herald stores only RecordBatch v2.</summary>
    UnsupportedMagic,

    /// <summary>The CRC32C does not match the batch contents.</summary>
    CorruptCrc,

    /// <summary>The batch is larger than the configured maximum.</summary>
    TooLarge,

    /// <summary>The record count or last offset delta is impossible (negative, or they disagree).</summary>
    InvalidRecordCount,

    /// <summary>The compression attribute names a codec that does not exist.</summary>
    UnknownCompression,

    /// <summary>
    /// A record inside the batch is malformed: a length, varint, header count or offset delta is impossible, the records
    /// disagree with the stated count, or a compressed section does not decompress.
    /// </summary>
    MalformedRecords,

    /// <summary>The compressed records decompress to more than the limit.</summary>
    DecompressedTooLarge,
}
