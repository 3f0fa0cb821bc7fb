using System.Globalization;
using Herald.Cli.Access;

namespace Herald.Cli;

/// <summary>Turns earliest, latest, an offset or an ISO 8601 time into an offset of one partition.</summary>
internal static class OffsetSpec
{
    public static async Task<long> ResolveAsync(IBrokerAccess broker, string topic, int partition, string spec, string optionName, CancellationToken cancellationToken)
    {
        var earliest = (await broker.ListOffsetAsync(topic, partition, -2, cancellationToken)).Offset;
        var latest = (await broker.ListOffsetAsync(topic, partition, -1, cancellationToken)).Offset;
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
            var found = (await broker.ListOffsetAsync(topic, partition, time.ToUnixTimeMilliseconds(), cancellationToken)).Offset;
            return found >= 0 ? found : latest;
        }

        throw new CliException($"{optionName} '{spec}' is not earliest, latest, an offset or an ISO 8601 time.");
    }
}
