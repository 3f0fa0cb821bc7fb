using System.CommandLine;

namespace Herald.Cli;

/// <summary>
/// Binds command-line flags to the properties of an options record: each flag's default is read from the record's
/// defaults, so it lives in one place, configuration (<see cref="ServeConfiguration"/>) can set it under the flag's
/// name, and <see cref="Bind"/> applies what was parsed onto a starting value.
/// </summary>
internal sealed class OptionsBinder<T>(T defaults)
    where T : class
{
    private readonly List<(Option Option, Func<ParseResult, T, T> Apply)> _bindings = [];

    public IEnumerable<Option> Options => _bindings.Select(b => b.Option);

    public OptionsBinder<T> Int(string name, string description, int min, Func<T, int> get, Func<T, int, T> set) =>
        Add(CliOptions.Int(name, description, min, get(defaults), Configured(name)), set);

    public OptionsBinder<T> Flag(string name, string description, Func<T, bool> get, Func<T, bool, T> set) =>
        Add(CliOptions.Flag(name, description, get(defaults), Configured(name)), set);

    public OptionsBinder<T> Size(string name, string description, long min, Func<T, long> get, Func<T, long, T> set) =>
        Add(CliOptions.Size(name, description, min, get(defaults), Configured(name)), (options, size) => set(options, size.Value));

    /// <summary>A size, or <c>unlimited</c> for null.</summary>
    public OptionsBinder<T> SizeOrUnlimited(string name, string description, long min, Func<T, long?> get, Func<T, long?, T> set) =>
        Add(CliOptions.SizeOrUnlimited(name, description, min, get(defaults), Configured(name)), (options, size) => set(options, size == Bytes.Unlimited ? null : size.Value));

    public OptionsBinder<T> Duration(string name, string description, Func<T, TimeSpan> get, Func<T, TimeSpan, T> set) =>
        Add(CliOptions.Duration(name, description, get(defaults), Configured(name)), (options, duration) => set(options, duration.Value));

    /// <summary>A duration, or <c>forever</c> for null.</summary>
    public OptionsBinder<T> DurationOrForever(string name, string description, Func<T, TimeSpan?> get, Func<T, TimeSpan?, T> set) =>
        Add(CliOptions.DurationOrForever(name, description, get(defaults), Configured(name)), (options, duration) => set(options, duration == Cli.Duration.Forever ? null : duration.Value));

    /// <summary><paramref name="start"/> with every bound flag's value, given or default, applied.</summary>
    public T Bind(ParseResult parse, T start) => _bindings.Aggregate(start, (options, binding) => binding.Apply(parse, options));

    private static Func<string?> Configured(string name) => () => ServeConfiguration.Lookup(name);

    private OptionsBinder<T> Add<TValue>(Option<TValue> option, Func<T, TValue, T> set)
    {
        _bindings.Add((option, (parse, options) => set(options, parse.GetValue(option)!)));
        return this;
    }
}
