using System.Globalization;
using Herald.Broker;

namespace Herald.Cli;

/// <summary>Turns earliest, latest, an offset or an ISO 8601 time into an offset of one partition.</summary>
internal static class OffsetSpec
{
    public static long Resolve(HeraldBroker broker, string topic, int partition, string spec, string optionName)
    {
        var earliest = broker.ListOffset(topic, partition, -2).Offset;
        var latest = broker.ListOffset(topic, partition, -1).Offset;
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
            var found = broker.ListOffset(topic, partition, time.ToUnixTimeMilliseconds()).Offset;
            return found >= 0 ? found : latest;
        }

        throw new CliException($"{optionName} '{spec}' is not earliest, latest, an offset or an ISO 8601 time.");
    }
}
