using Microsoft.Extensions.Configuration;

namespace Herald.Cli;

/// <summary>
/// Where <c>herald serve</c> finds its settings besides the command line, each under the name of its flag without the
/// dashes: a <c>herald.json</c> in the working directory (<c>{"retention": "3d", "http": "0.0.0.0:8080"}</c>), then
/// environment variables (<c>HERALD_RETENTION=3d</c>, <c>HERALD_DEFAULT_PARTITIONS=3</c>), then the flags themselves,
/// each overriding the one before. Every setting is still defined once, by its flag.
/// </summary>
internal static class ServeConfiguration
{
    public const string FileName = "herald.json";

    private static readonly Lazy<IConfigurationRoot> Configuration = new(() => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), FileName), optional: true, reloadOnChange: false)
        .AddEnvironmentVariables("HERALD_")
        .Build());

    /// <summary>The configured text for the flag <paramref name="flag"/> (such as <c>--default-partitions</c>), or null.</summary>
    public static string? Lookup(string flag)
    {
        // Later sources win; a key may be written with dashes (JSON) or underscores (environment variables).
        var key = flag.TrimStart('-');
        foreach (var provider in Configuration.Value.Providers.Reverse())
        {
            if (provider.TryGet(key, out var value) || provider.TryGet(key.Replace('-', '_'), out value))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>How a person would write <paramref name="flag"/> in configuration, for messages.</summary>
    public static string KeyFor(string flag) => $"'{flag.TrimStart('-')}' in {FileName} or HERALD_{flag.TrimStart('-').Replace('-', '_').ToUpperInvariant()}";
}
