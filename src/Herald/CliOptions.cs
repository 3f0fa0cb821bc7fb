using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Herald.Cli;

/// <summary>
/// Options whose values are checked as they are parsed, with messages that name the option and what it takes rather
/// than a .NET type, so that a wrong value is a usage error (exit code 2) before any command runs.
/// </summary>
internal static class CliOptions
{
    private const string WholeNumber = "a whole number";

    /// <summary>A whole number of at least <paramref name="min"/>, or nothing.</summary>
    public static Option<int?> Int(string name, string description, int min) =>
        Parsed<int?>(name, description, null, WholeNumber, text => (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v), v), v => v < min ? $"must be at least {min}" : null);

    /// <summary>A whole number of at least <paramref name="min"/>, <paramref name="defaultValue"/> when not given.</summary>
    public static Option<int> Int(string name, string description, int min, int defaultValue, Func<string?>? configured = null) =>
        Parsed(name, description, () => defaultValue, WholeNumber, text => (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v), v), v => v < min ? $"must be at least {min}" : null, configured);

    /// <summary>A whole number of at least <paramref name="min"/>, or nothing.</summary>
    public static Option<long?> Long(string name, string description, long min) =>
        Parsed<long?>(name, description, null, WholeNumber, text => (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v), v), v => v < min ? $"must be at least {min}" : null);

    /// <summary>A number above zero, or nothing.</summary>
    public static Option<double?> Positive(string name, string description) =>
        Parsed<double?>(name, description, null, "a number", text => (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v), v), v => v <= 0 ? "must be above zero" : null);

    /// <summary>An ISO 8601 time, or nothing.</summary>
    public static Option<DateTimeOffset?> Time(string name, string description) =>
        Parsed<DateTimeOffset?>(name, description, null, "an ISO 8601 time such as 2026-11-27T10:00:00Z", text => (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v), v), _ => null);

    /// <summary>A flag, <paramref name="defaultValue"/> unless given, or set to true or false in configuration.</summary>
    public static Option<bool> Flag(string name, string description, bool defaultValue, Func<string?>? configured = null) => new(name)
    {
        Description = description,
        DefaultValueFactory = result =>
        {
            if (configured?.Invoke() is not { } text)
            {
                return defaultValue;
            }

            if (!bool.TryParse(text, out var value))
            {
                result.AddError($"{name} (configured as {ServeConfiguration.KeyFor(name)}) takes true or false; got '{text}'.");
            }

            return value;
        },
    };

    /// <summary>A size in bytes with an optional unit (B, KiB, MiB, GiB), at least <paramref name="min"/>.</summary>
    public static Option<Bytes> Size(string name, string description, long min, long defaultValue, Func<string?>? configured = null)
    {
        var option = Parsed(name, description, () => new Bytes(defaultValue), "a size such as 64MiB, 512KiB or 1048576", text => (HumanUnits.TryParseSize(text, out var v), new Bytes(v)), v => v.Value < min ? $"must be at least {new Bytes(min)}" : null, configured);
        option.HelpName = "SIZE";
        return option;
    }

    /// <summary>A size as <see cref="Size"/> takes it, or <c>unlimited</c> (<see cref="Bytes.Unlimited"/>).</summary>
    public static Option<Bytes> SizeOrUnlimited(string name, string description, long min, long? defaultValue, Func<string?>? configured = null)
    {
        var option = Parsed(
            name,
            description,
            () => defaultValue is { } value ? new Bytes(value) : Bytes.Unlimited,
            "a size such as 64MiB, or unlimited",
            text => text == "unlimited" ? (true, Bytes.Unlimited) : (HumanUnits.TryParseSize(text, out var v), new Bytes(v)),
            v => v != Bytes.Unlimited && v.Value < min ? $"must be at least {new Bytes(min)}" : null,
            configured);
        option.HelpName = "SIZE|unlimited";
        return option;
    }

    /// <summary>A duration as <see cref="Duration"/> takes it, or <c>forever</c> (<see cref="Cli.Duration.Forever"/>).</summary>
    public static Option<Duration> DurationOrForever(string name, string description, TimeSpan? defaultValue, Func<string?>? configured = null)
    {
        var option = Parsed(
            name,
            description,
            () => defaultValue is { } value ? new Cli.Duration(value) : Cli.Duration.Forever,
            "a duration such as 30s, 12h or 7d, or forever",
            text => text == "forever" ? (true, Cli.Duration.Forever) : (HumanUnits.TryParseDuration(text, out var v), new Cli.Duration(v)),
            v => v != Cli.Duration.Forever && v.Value <= TimeSpan.Zero ? "must be above zero" : null,
            configured);
        option.HelpName = "DURATION|forever";
        return option;
    }

    /// <summary>A duration with a unit (ms, s, m, h, d), above zero.</summary>
    public static Option<Duration> Duration(string name, string description, TimeSpan defaultValue, Func<string?>? configured = null)
    {
        var option = Parsed(name, description, () => new Duration(defaultValue), "a duration such as 500ms, 30s, 10m, 2h or 7d", text => (HumanUnits.TryParseDuration(text, out var v), new Duration(v)), v => v.Value <= TimeSpan.Zero ? "must be above zero" : null, configured);
        option.HelpName = "DURATION";
        return option;
    }

    // configured: for a setting that configuration can also give (ServeConfiguration), its configured text or null;
    // checked exactly as the flag is, and the flag wins over it.
    private static Option<T> Parsed<T>(string name, string description, Func<T>? defaultValue, string expects, Func<string, (bool Ok, T Value)> parse, Func<T, string?> check, Func<string?>? configured = null)
    {
        var option = new Option<T>(name) { Description = description };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = result => configured?.Invoke() is { } text ? Checked(result, text, $"{name} (configured as {ServeConfiguration.KeyFor(name)})") : defaultValue();
        }

        option.CustomParser = result => result.Tokens.Count == 0
            ? (defaultValue is null ? default! : defaultValue())
            : Checked(result, result.Tokens[^1].Value, name);
        return option;

        T Checked(ArgumentResult result, string text, string source)
        {
            var (ok, value) = parse(text);
            if (!ok)
            {
                result.AddError($"{source} takes {expects}; got '{text}'.");
            }
            else if (check(value) is { } problem)
            {
                result.AddError($"{source} {problem}; got {text}.");
            }

            return value;
        }
    }
}
