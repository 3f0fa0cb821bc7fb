using Herald.Client;

namespace Shop.Demo;

/// <summary>A consumer group's position on one topic.</summary>
public sealed record ConsumerLag(string Service, string Topic, string Group, long Lag);

/// <summary>Something the demo did, and when.</summary>
public sealed record DemoStep(TimeSpan At, string What);

/// <summary>How the shop stands at one moment: what the live summary shows.</summary>
public sealed record DemoSnapshot(
    TimeSpan Elapsed,
    string Phase,
    long OrdersPlaced,
    double OrdersPerSecond,
    int Users,
    IReadOnlyList<ConsumerLag> Consumers,
    long Retries,
    long DeadLettered,
    long Redriven,
    IReadOnlyDictionary<string, long> FaultsStruck,
    long DuplicatesSkipped,
    BreakerState InventoryBreaker,
    int BreakerOpenings,
    IReadOnlyList<DemoStep> Steps,
    IReadOnlyList<Invariant> Invariants);

/// <summary>The end of a run: what happened, and whether every invariant held.</summary>
public sealed record DemoReport(
    int Seed,
    TimeSpan Duration,
    double Rate,
    bool Faults,
    DemoSnapshot Final,
    IReadOnlyList<string> Skipped)
{
    public bool Passed => Final.Invariants.All(i => i.State == InvariantState.Holds);
}
