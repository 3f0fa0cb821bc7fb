namespace Herald.Storage;

/// <summary>What a read wrote to its destination.</summary>
/// <param name="Status">Whether the offset was in range.</param>
/// <param name="BytesWritten">Bytes of whole record batches written to the destination.</param>
/// <param name="LogStartOffset">The log start offset when the read was made.</param>
/// <param name="EndOffset">The end bound the read used: no batch at or after it was returned.</param>
/// <param name="NextOffset">The offset after the last batch returned, where the next read continues; the requested offset when nothing was returned.</param>
public readonly record struct ReadResult(ReadStatus Status, int BytesWritten, long LogStartOffset, long EndOffset, long NextOffset);
