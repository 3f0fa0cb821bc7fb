using System.Globalization;

namespace Herald.Cli;

/// <summary>Sizes and durations as people write them on a command line: 64MiB, 512KiB, 30s, 10m, 7d.</summary>
internal static class HumanUnits
{
    private static readonly (string Suffix, long Bytes)[] SizeUnits = [("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("B", 1)];

    private static readonly (string Suffix, double Milliseconds)[] DurationUnits =
        [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];

    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var (number, multiplier) = Split(text.Trim(), SizeUnits, defaultMultiplier: 1);
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > long.MaxValue / multiplier)
        {
            return false;
        }

        bytes = value * multiplier;
        return true;
    }

    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var (number, milliseconds) = Split(text.Trim(), DurationUnits, defaultMultiplier: double.NaN);
        if (double.IsNaN(milliseconds) || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || value * milliseconds > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(value * milliseconds);
        return true;
    }

    public static string FormatSize(long bytes)
    {
        foreach (var (suffix, unit) in SizeUnits)
        {
            if (bytes >= unit && bytes % unit == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{bytes / unit}{suffix}");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes}B");
    }

    public static string FormatDuration(TimeSpan duration)
    {
        for (var i = DurationUnits.Length - 1; i >= 0; i--)
        {
            var (suffix, unit) = DurationUnits[i];
            if (duration.TotalMilliseconds >= unit && duration.TotalMilliseconds % unit == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds / unit}{suffix}");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds}ms");
    }

    // The longest suffix that matches wins, so "ms" is not read as "s".
    private static (string Number, T Multiplier) Split<T>(string text, (string Suffix, T Multiplier)[] units, T defaultMultiplier)
    {
        var best = (Suffix: string.Empty, Multiplier: defaultMultiplier);
        foreach (var unit in units)
        {
            if (text.EndsWith(unit.Suffix, StringComparison.OrdinalIgnoreCase) && unit.Suffix.Length > best.Suffix.Length)
            {
                best = unit;
            }
        }

        return (text[..^best.Suffix.Length].TrimEnd(), best.Multiplier);
    }
}
