using System.Globalization;
using Herald.Broker;
using Herald.Cli.Access;

namespace Herald.Cli;

/// <summary>Turns earliest, latest, an offset or an ISO 8601 time into an offset of one partition.</summary>
internal static class OffsetSpec
{
    /// <summary>Refuses, at parse time, a value of <paramref name="option"/> that is none of the four forms: a usage error.</summary>
    public static void Validate(System.CommandLine.Option<string> option) => option.Validators.Add(result =>
    {
        if (result.Tokens.Count > 0 && !IsWellFormed(result.Tokens[^1].Value))
        {
            result.AddError($"{option.Name} takes earliest, latest, an offset or an ISO 8601 time such as 2026-11-27T10:00:00Z; got '{result.Tokens[^1].Value}'.");
        }
    });

    private static bool IsWellFormed(string spec) =>
        spec is "earliest" or "latest"
        || long.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out _)
        || DateTimeOffset.TryParse(spec, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);

    public static async Task<long> ResolveAsync(IBrokerAccess broker, string topic, int partition, string spec, string optionName, CancellationToken cancellationToken)
    {
        var earliest = (await broker.ListOffsetAsync(topic, partition, OffsetQuery.Earliest, cancellationToken)).Offset;
        var latest = (await broker.ListOffsetAsync(topic, partition, OffsetQuery.Latest, cancellationToken)).Offset;
        if (spec == "earliest")
        {
            return earliest;
        }

        if (spec == "latest")
        {
            return latest;
        }

        if (long.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return Math.Clamp(offset, earliest, latest);
        }

        if (DateTimeOffset.TryParse(spec, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            var found = (await broker.ListOffsetAsync(topic, partition, OffsetQuery.AtOrAfter(time), cancellationToken)).Offset;
            return found >= 0 ? found : latest;
        }

        throw CliException.Usage($"{optionName} '{spec}' is not earliest, latest, an offset or an ISO 8601 time.");
    }
}
