namespace Herald.Storage;

/// <summary>The outcome of an append: the offsets given to the record set, or why it was refused.</summary>
/// <param name="Error">Why the record set was refused; <see cref="BatchError.None"/> when it was appended.</param>
/// <param name="BaseOffset">The offset of the first record appended, or -1.</param>
/// <param name="LastOffset">The offset of the last record appended, or -1.</param>
/// <param name="Problem">For a refused record set, what is wrong with it, for people; otherwise null.</param>
public readonly record struct AppendResult(BatchError Error, long BaseOffset, long LastOffset, string? Problem = null)
{
    /// <summary>Whether the record set was appended.</summary>
    public bool Succeeded => Error == BatchError.None;

    /// <summary>The offset after the appended records.</summary>
    public long NextOffset => LastOffset + 1;

    internal static AppendResult Refused(BatchError error, string? problem = null) => new(error, -1, -1, problem);
}
