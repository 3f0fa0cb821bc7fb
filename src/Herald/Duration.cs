namespace Herald.Cli;

/// <summary>A duration, shown in help as people write it (30s, 10m).</summary>
internal readonly record struct Duration(TimeSpan Value)
{
    public override string ToString() => HumanUnits.FormatDuration(Value);
}
