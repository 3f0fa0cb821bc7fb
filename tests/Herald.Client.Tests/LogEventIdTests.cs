using System.Reflection;
using Herald.Broker;
using Herald.Kafka;
using Microsoft.Extensions.Logging;

namespace Herald.Client.Tests;

public sealed class LogEventIdTests
{
    [Fact]
    public void Every_log_message_of_the_libraries_has_an_event_id_of_its_own()
    {
        Assembly[] libraries = [typeof(Storage.RecordBatch).Assembly, typeof(HeraldBroker).Assembly, typeof(KafkaServer).Assembly, typeof(IEventPublisher).Assembly];
        const BindingFlags Declared = BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var messages = libraries.SelectMany(library => library.GetTypes()).SelectMany(type => type.GetMethods(Declared))
            .Select(method => (Name: $"{method.DeclaringType!.FullName}.{method.Name}", Message: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(found => found.Message is not null)
            .ToList();

        Assert.True(messages.Count > 30, $"found only {messages.Count} log messages");
        Assert.All(messages, found => Assert.True(found.Message!.EventId > 0, $"{found.Name} has no EventId"));
        Assert.Empty(messages.GroupBy(found => found.Message!.EventId).Where(same => same.Count() > 1).Select(same => $"{same.Key}: {string.Join(", ", same.Select(f => f.Name))}"));
    }
}
