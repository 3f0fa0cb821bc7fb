namespace Herald.Storage;

/// <summary>The compression codec of a record batch, as stored in bits 0-2 of its attributes. Values are Kafka's.</summary>
public enum CompressionType : byte
{
    /// <summary>Records are stored as they are.</summary>
    None = 0,

    /// <summary>gzip (RFC 1952).</summary>
    Gzip = 1,

    /// <summary>Snappy, raw or in the xerial framing the Java client writes.</summary>
    Snappy = 2,

    /// <summary>LZ4 frame format.</summary>
    Lz4 = 3,

    /// <summary>Zstandard frame format.</summary>
    Zstd = 4,
}
