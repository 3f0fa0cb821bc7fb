namespace Herald.Client;

/// <summary>The dead letters an operation applied to (or, in a dry run, would have).</summary>
public sealed record DeadLetterResult(IReadOnlyList<DeadLetter> Letters, bool DryRun);
