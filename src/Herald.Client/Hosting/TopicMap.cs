using System.Collections.Concurrent;
using Herald.Client.Transport;
using Microsoft.Extensions.Options;

namespace Herald.Client;

/// <summary>Which topic each event type is published to, and which topics already exist.</summary>
internal sealed class TopicMap(IOptions<HeraldOptions> options)
{
    private readonly ConcurrentDictionary<Type, string> _topics = new();
    private readonly ConcurrentDictionary<string, Task> _ensured = new(StringComparer.Ordinal);

    public void Map(Type type, string topic) => _topics[type] = topic;

    public string? Find(Type type) => _topics.GetValueOrDefault(type);

    /// <summary>Creates the topic once per process if it does not exist.</summary>
    internal Task EnsureAsync(IEventTransport transport, string topic, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? configs = null)
    {
        var ensuring = _ensured.GetOrAdd(topic, t => transport.EnsureTopicAsync(t, options.Value.DefaultPartitions, CancellationToken.None, configs));
        if (ensuring.IsFaulted || ensuring.IsCanceled)
        {
            _ensured.TryRemove(topic, out _); // try again next time
        }

        return ensuring.WaitAsync(cancellationToken);
    }
}
