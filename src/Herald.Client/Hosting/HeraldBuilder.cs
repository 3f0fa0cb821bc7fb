using Herald.Broker;
using Herald.Client.Transport;
using Herald.Client.Transport.Embedded;
using Herald.Client.Transport.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Client;

/// <summary>Configures Herald in a service: the transport, event types and topics, and consumers.</summary>
public sealed class HeraldBuilder
{
    private readonly EventTypeRegistry _types;
    private readonly List<(Type Event, string Topic)> _topics = [];

    internal HeraldBuilder(IServiceCollection services, EventTypeRegistry types)
    {
        Services = services;
        _types = types;
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    internal IReadOnlyList<(Type Event, string Topic)> Topics => _topics;

    /// <summary>Runs Herald's broker in this process, keeping its data in <paramref name="dataDirectory"/>.</summary>
    public HeraldBuilder UseEmbedded(string dataDirectory) => UseTransport(async (services, cancellationToken) =>
    {
        var broker = await HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = dataDirectory }, services.GetService<ILoggerFactory>(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return new EmbeddedTransport(broker, ownsBroker: true);
    });

    /// <summary>Uses a broker this process already runs (for example one shared by tests); Herald does not dispose it.</summary>
    public HeraldBuilder UseEmbedded(HeraldBroker broker) => UseTransport((_, _) => Task.FromResult<IEventTransport>(new EmbeddedTransport(broker, ownsBroker: false)));

    /// <summary>
    /// Uses a Kafka cluster, or <c>herald serve</c>, at <paramref name="bootstrapServers"/>, through Confluent.Kafka;
    /// the first two actions change librdkafka's producer and consumer settings (timeouts, batching) after Herald's
    /// defaults, and <paramref name="configureConnection"/> how every client connects: security.protocol, SASL and
    /// TLS settings (see docs/security.md).
    /// </summary>
    public HeraldBuilder UseKafka(
        string bootstrapServers,
        Action<Confluent.Kafka.ProducerConfig>? configure = null,
        Action<Confluent.Kafka.ConsumerConfig>? configureConsumer = null,
        Action<Confluent.Kafka.ClientConfig>? configureConnection = null) =>
        UseTransport((_, _) => Task.FromResult<IEventTransport>(new KafkaTransport(bootstrapServers, configure, configureConsumer, configureConnection)));

    private HeraldBuilder UseTransport(Func<IServiceProvider, CancellationToken, Task<IEventTransport>> create)
    {
        Services.RemoveAll<TransportProvider>();
        Services.AddSingleton(services => new TransportProvider(cancellationToken => create(services, cancellationToken)));
        return this;
    }

    /// <summary>Publishes <typeparamref name="TEvent"/> to <paramref name="topic"/>.</summary>
    public HeraldBuilder MapTopic<TEvent>(string topic)
    {
        CheckTopic(topic);
        _topics.Add((typeof(TEvent), topic));
        return this;
    }

    /// <summary>Registers an event type up front, optionally with the key to order it by.</summary>
    public HeraldBuilder AddEvent<TEvent>(Func<TEvent, string?>? key = null)
    {
        _types.Register(key);
        return this;
    }

    /// <summary>Adds an upcaster that turns an older version of an event into the next.</summary>
    public HeraldBuilder AddUpcaster(IEventUpcaster upcaster)
    {
        _types.AddUpcaster(upcaster);
        return this;
    }

    /// <summary>Keeps processed event ids in <typeparamref name="TStore"/> (for example your own database) instead of in memory.</summary>
    public HeraldBuilder UseProcessedEventStore<TStore>()
        where TStore : class, IProcessedEventStore
    {
        Services.RemoveAll<IProcessedEventStore>();
        Services.AddSingleton<IProcessedEventStore, TStore>();
        return this;
    }

    /// <summary>
    /// Consumes <paramref name="topic"/> as <paramref name="group"/>, handing each event to <typeparamref name="THandler"/>
    /// (an <see cref="IEventHandler{TEvent}"/> for one or more event types), resolved in a new scope per event.
    /// </summary>
    public HeraldBuilder AddConsumer<THandler>(string topic, string group, Action<ConsumerOptions>? configure = null)
        where THandler : class
    {
        CheckTopic(topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        var name = $"{topic}/{group}";
        Services.TryAddScoped<THandler>();
        Services.AddOptions<ConsumerOptions>(name)
            .Configure<IServiceProvider>((options, services) =>
            {
                options.Topic = topic;
                options.Group = group;
                HeraldServiceCollectionExtensions.Bind(services, $"{HeraldOptions.Section}:Consumers:{name}", options);
                configure?.Invoke(options);
            })
            .ValidateOnStart();
        Services.AddSingleton<IHostedService>(services => new EventConsumerService(
            name,
            typeof(THandler),
            services,
            services.GetRequiredService<TransportProvider>(),
            services.GetRequiredService<IOptionsMonitor<ConsumerOptions>>(),
            services.GetRequiredService<ILoggerFactory>()));
        return this;
    }

    private static void CheckTopic(string topic)
    {
        if (TopicName.Validate(topic) is { } problem)
        {
            throw new ArgumentException(problem, nameof(topic));
        }
    }
}
