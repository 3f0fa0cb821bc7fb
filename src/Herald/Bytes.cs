namespace Herald.Cli;

/// <summary>A size in bytes, shown in help as people write it (200MiB).</summary>
internal readonly record struct Bytes(long Value)
{
    public override string ToString() => HumanUnits.FormatSize(Value);
}
