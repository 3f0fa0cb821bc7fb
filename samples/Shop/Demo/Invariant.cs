namespace Shop.Demo;

public enum InvariantState
{
    /// <summary>Holds now.</summary>
    Holds,

    /// <summary>Not yet: work is still on its way (live only; at the end it counts as violated).</summary>
    Pending,

    /// <summary>Broken.</summary>
    Violated,
}

/// <summary>One rule the shop must keep, and how it stands.</summary>
public sealed record Invariant(string Name, string Rule, InvariantState State, string Detail);
