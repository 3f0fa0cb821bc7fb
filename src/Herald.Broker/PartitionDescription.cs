namespace Herald.Broker;

/// <summary>A partition's extent as the broker holds it now.</summary>
/// <param name="Partition">The partition number.</param>
/// <param name="StartOffset">The first offset still kept (retention and DeleteRecords move it).</param>
/// <param name="EndOffset">The high watermark: the offset the next durable record gets; what readers can see ends here.</param>
/// <param name="SizeBytes">Bytes of record batches stored for the partition.</param>
public readonly record struct PartitionDescription(int Partition, long StartOffset, long EndOffset, long SizeBytes)
{
    /// <summary>Records between the start and the end (offsets, so records removed by compaction would still count).</summary>
    public long Records => EndOffset - StartOffset;
}
