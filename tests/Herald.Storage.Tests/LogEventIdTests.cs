using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Herald.Storage.Tests;

public sealed class LogEventIdTests
{
    [Fact]
    public void Every_storage_log_event_has_its_own_id()
    {
        var ids = typeof(PartitionLog).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(method => method.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(attribute => attribute.EventId)
            .ToList();

        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
