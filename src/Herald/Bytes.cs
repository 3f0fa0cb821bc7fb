namespace Herald.Cli;

/// <summary>A size in bytes, shown in help as people write it (200MiB).</summary>
internal readonly record struct Bytes(long Value)
{
    /// <summary>No limit: Kafka's -1.</summary>
    public static Bytes Unlimited { get; } = new(-1);

    public override string ToString() => this == Unlimited ? "unlimited" : HumanUnits.FormatSize(Value);
}
