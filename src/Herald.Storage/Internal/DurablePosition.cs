namespace Herald.Storage.Internal;

/// <summary>Everything before byte <paramref name="Position"/> of the segment at <paramref name="SegmentBaseOffset"/> was synced.</summary>
internal readonly record struct DurablePosition(long SegmentBaseOffset, long Position)
{
    public long SyncedBytesOf(long segmentBaseOffset) =>
        segmentBaseOffset < SegmentBaseOffset ? long.MaxValue
        : segmentBaseOffset == SegmentBaseOffset ? Position
        : 0;
}
