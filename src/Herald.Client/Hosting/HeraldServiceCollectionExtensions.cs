using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Herald.Client;

/// <summary>Registers Herald in a service.</summary>
public static class HeraldServiceCollectionExtensions
{
    /// <summary>
    /// Adds Herald: the <see cref="IEventPublisher"/>, the configured transport and consumers. Settings come from the
    /// <c>Herald</c> configuration section, then <paramref name="configure"/>, and are validated when the host starts.
    /// </summary>
    public static HeraldBuilder AddHerald(this IServiceCollection services, Action<HeraldBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var types = new EventTypeRegistry();
        var builder = new HeraldBuilder(services, types);
        services.AddOptions<HeraldOptions>()
            .Configure<IServiceProvider>((options, provider) => Bind(provider, HeraldOptions.Section, options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HeraldOptions>, HeraldOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsumerOptions>, ConsumerOptionsValidator>());
        services.TryAddSingleton(types);
        services.TryAddSingleton(provider => new EventSerializer(types, provider.GetRequiredService<IOptions<HeraldOptions>>().Value.Json));
        services.TryAddSingleton(provider =>
        {
            var map = new TopicMap(provider.GetRequiredService<IOptions<HeraldOptions>>());
            foreach (var (type, topic) in builder.Topics)
            {
                map.Map(type, topic);
            }

            return map;
        });
        services.TryAddSingleton<IProcessedEventStore>(provider => new TopicProcessedEventStore(
            provider.GetRequiredService<TransportProvider>(),
            provider.GetRequiredService<TopicMap>(),
            provider.GetService<ILogger<TopicProcessedEventStore>>() ?? NullLogger<TopicProcessedEventStore>.Instance,
            provider.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddSingleton<IEventPublisher, EventPublisher>();
        services.TryAddSingleton<HeraldConsumers>();
        services.TryAddSingleton(provider => new EventStream(
            provider.GetRequiredService<TransportProvider>(),
            types,
            provider.GetRequiredService<EventSerializer>(),
            provider.GetRequiredService<TopicMap>()));
        services.TryAddSingleton(provider => new DeadLetterQueue(provider.GetRequiredService<TransportProvider>()));
        services.TryAddSingleton(provider => new GroupLagReader(provider.GetRequiredService<TransportProvider>()));
        configure(builder);
        if (!services.Any(s => s.ServiceType == typeof(TransportProvider)))
        {
            services.AddSingleton(_ => TransportProvider.None()); // an event-store-only application; consumers refuse to start
        }

        return builder;
    }

    internal static void Bind(IServiceProvider services, string section, object options)
    {
        if (services.GetService<IConfiguration>() is { } configuration)
        {
            configuration.GetSection(section).Bind(options);
        }
    }
}
