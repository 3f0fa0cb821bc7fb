using Herald.Storage;

namespace Herald.Broker;

/// <summary>What one <see cref="RecordReading.ReadRecordsAsync"/> found in a partition, in offset order.</summary>
/// <param name="Error">Why the read failed (an unknown partition, say), or None.</param>
/// <param name="Records">The records at or after the offset asked for.</param>
/// <param name="Damaged">Batches stepped over because they could not be read.</param>
/// <param name="NextOffset">Where the next read starts.</param>
/// <param name="Bytes">Bytes of stored batches read.</param>
/// <param name="Unreadable">
/// Set when a damaged batch's length cannot be trusted, so reading cannot go past it: what is wrong, for people. The
/// records before it are in <paramref name="Records"/>.
/// </param>
public sealed record RecordsRead(ErrorCode Error, IReadOnlyList<Record> Records, IReadOnlyList<DamagedRange> Damaged, long NextOffset, int Bytes, string? Unreadable = null);
