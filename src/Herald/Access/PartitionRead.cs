using Herald.Broker;
using Herald.Storage;

namespace Herald.Cli.Access;

/// <summary>What one read of a partition found, in offset order: records, and damaged batches stepped over.</summary>
/// <param name="Error">Why the read failed, or None.</param>
/// <param name="Records">The records read.</param>
/// <param name="Damaged">Batches that could not be read, by the offsets they cover.</param>
/// <param name="NextOffset">Where the next read starts.</param>
internal sealed record PartitionRead(ErrorCode Error, IReadOnlyList<Record> Records, IReadOnlyList<DamagedRange> Damaged, long NextOffset);
