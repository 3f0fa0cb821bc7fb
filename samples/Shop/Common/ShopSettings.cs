using Herald.Broker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Shop.Common;

/// <summary>
/// Where a shop service runs and what it talks to. A service run on its own reads these from the <c>Shop</c>
/// configuration section (appsettings.json, <c>Shop__Kafka</c> in the environment, or <c>--Shop:Kafka=...</c>).
/// </summary>
public sealed record ShopSettings
{
    /// <summary>The Kafka bootstrap servers: <c>herald serve</c> or any Kafka cluster. Defaults to <c>127.0.0.1:9092</c>.</summary>
    public string Kafka { get; init; } = "127.0.0.1:9092";

    /// <summary>A broker in this process, used instead of <see cref="Kafka"/> (how <c>herald demo</c> runs the whole shop in one process).</summary>
    public HeraldBroker? Broker { get; init; }

    /// <summary>Where a service keeps its own files (the Order service's event store, Analytics' ledger). Defaults to <c>data/shop</c>.</summary>
    public string DataDirectory { get; init; } = Path.Combine("data", "shop");

    /// <summary>The HTTP address to listen on, such as <c>http://127.0.0.1:0</c>; null leaves it to ASP.NET Core's configuration.</summary>
    public string? Listen { get; init; }

    /// <summary>The User service's base address, which Email calls back for a new user's address.</summary>
    public Uri UsersUrl { get; init; } = new("http://127.0.0.1:5101/");

    /// <summary>Partitions of each shop topic when it is created. Defaults to 4.</summary>
    public int Partitions { get; init; } = 4;

    /// <summary>The share of cards the Payment service declines: business as usual, not a fault. Defaults to 0.05.</summary>
    public double DeclinedCards { get; init; } = 0.05;

    /// <summary>The faults to inject; none unless asked for.</summary>
    public ShopFaults Faults { get; init; } = new();

    /// <summary>Configuration over the service's own (<c>Herald:Consumers:...</c> settings, say), applied last.</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();

    /// <summary>Logging for a service run inside another program; null keeps ASP.NET Core's defaults.</summary>
    public Action<ILoggingBuilder>? Logging { get; init; }

    /// <summary>The <c>Shop</c> section of <paramref name="configuration"/>, over the defaults.</summary>
    public static ShopSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Shop");
        var defaults = new ShopSettings();
        var faults = new ShopFaults();
        section.GetSection("Faults").Bind(faults);
        return defaults with
        {
            Kafka = section["Kafka"] ?? defaults.Kafka,
            DataDirectory = section["DataDirectory"] ?? defaults.DataDirectory,
            Listen = section["Listen"],
            UsersUrl = section["UsersUrl"] is { } users ? new Uri(users) : defaults.UsersUrl,
            Partitions = section.GetValue("Partitions", defaults.Partitions),
            DeclinedCards = section.GetValue("DeclinedCards", defaults.DeclinedCards),
            Faults = faults,
        };
    }
}
