namespace Herald.Broker;

/// <summary>A stored batch that could not be read: its records are lost to the reader, the ones after it are not.</summary>
/// <param name="BaseOffset">The first offset the batch covers.</param>
/// <param name="LastOffset">The last offset it covers.</param>
/// <param name="Problem">What is wrong with it, for people.</param>
public sealed record DamagedRange(long BaseOffset, long LastOffset, string Problem)
{
    /// <summary>Where reading goes on after it.</summary>
    public long NextOffset => LastOffset + 1;
}
