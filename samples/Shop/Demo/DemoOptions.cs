using Herald.Broker;
using Herald.EventSourcing;
using Microsoft.Extensions.Logging;
using Shop.Common;

namespace Shop.Demo;

/// <summary>How to run the shop.</summary>
public sealed record DemoOptions
{
    /// <summary>How long traffic runs, before the shop drains. Defaults to 2 minutes.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Orders placed per second. Defaults to 10.</summary>
    public double Rate { get; init; } = 10;

    /// <summary>Fixes the traffic and which orders the faults hit. Defaults to 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Inject the faults (duplicates, reordering, SMTP failures, poison, an outage, a crash, lag). Defaults to true.</summary>
    public bool Faults { get; init; } = true;

    /// <summary>Where the services keep their files. Defaults to <c>data/shop</c>.</summary>
    public string DataDirectory { get; init; } = Path.Combine("data", "shop");

    /// <summary>The broker in this process, when the shop runs on it; null to use <see cref="Kafka"/> only.</summary>
    public HeraldBroker? Broker { get; init; }

    /// <summary>Kafka bootstrap servers reaching the same broker: for services run in their own processes.</summary>
    public string Kafka { get; init; } = "127.0.0.1:9092";

    /// <summary>An event store opened elsewhere for the Order service, with its projections' directory; null for one of its own in <see cref="DataDirectory"/>.</summary>
    public (IEventStore Store, string ProjectionDirectory)? EventStore { get; init; }

    /// <summary>
    /// Which services run as processes of their own (their own programs, found beside this assembly, talking to the
    /// broker over <see cref="Kafka"/>). The crash fault kills Analytics with SIGKILL, so it needs Analytics in a
    /// process of its own. Defaults to <see cref="ShopProcesses.Analytics"/>.
    /// </summary>
    public ShopProcesses Processes { get; init; } = ShopProcesses.Analytics;

    /// <summary>Configuration given to every service over its own (<c>Herald:Consumers:topic/group:Retries</c>, say).</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();

    /// <summary>How long the shop may take to settle once traffic stops. Defaults to 90 s.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>The services' logging; by default warnings and errors to nowhere but the report.</summary>
    public Action<ILoggingBuilder> Logging { get; init; } = logging => logging.SetMinimumLevel(LogLevel.Warning);

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Duration, TimeSpan.FromSeconds(5), nameof(Duration));
        ArgumentOutOfRangeException.ThrowIfLessThan(Rate, 0.1, nameof(Rate));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Rate, 500, nameof(Rate));
    }

    internal ShopSettings Settings(ShopFaults faults) => new()
    {
        Kafka = Kafka,
        Broker = Broker,
        DataDirectory = DataDirectory,
        Listen = "http://127.0.0.1:0",
        Faults = faults,
        Logging = Logging,
        Configuration = Configuration,
    };
}

/// <summary>Which of the shop's services run as processes of their own.</summary>
public enum ShopProcesses
{
    /// <summary>All in this process; the crash is left out.</summary>
    None,

    /// <summary>Analytics in its own process, so that it can be killed; the rest in this process.</summary>
    Analytics,

    /// <summary>Every service in its own process, all talking to the broker over Kafka.</summary>
    All,
}
