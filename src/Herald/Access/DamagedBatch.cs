namespace Herald.Cli.Access;

/// <summary>A stored batch that could not be read: its records are lost to the reader, the ones after it are not.</summary>
internal sealed record DamagedBatch(long BaseOffset, long LastOffset, string Problem)
{
    public long NextOffset => LastOffset + 1;
}
