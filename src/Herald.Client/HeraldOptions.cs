using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Herald.Client;

/// <summary>Settings shared by publishing and consuming; bound from the <c>Herald</c> configuration section.</summary>
public sealed class HeraldOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string Section = "Herald";

    /// <summary>CloudEvents <c>source</c> of published events: who produced them. Defaults to the application name.</summary>
    [Required]
    public string Source { get; set; } = "/" + (System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "herald-client");

    /// <summary>Partitions of topics Herald creates (event topics it publishes to or consumes, and dead-letter topics).</summary>
    [Range(1, 10_000)]
    public int DefaultPartitions { get; set; } = 3;

    /// <summary>JSON settings for event bodies; set a TypeInfoResolver for source generation.</summary>
    public JsonSerializerOptions Json { get; set; } = new(JsonSerializerDefaults.Web);
}
