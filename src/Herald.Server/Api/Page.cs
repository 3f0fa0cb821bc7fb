namespace Herald.Server.Api;

/// <summary>One page of a list: its items and, when more follow, the cursor that fetches the next page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);
