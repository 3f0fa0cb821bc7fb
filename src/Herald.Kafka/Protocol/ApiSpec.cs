namespace Herald.Kafka.Protocol;

/// <summary>A Kafka API as its spec defines it.</summary>
/// <param name="Key">The API key.</param>
/// <param name="Name">The API name, such as "Produce".</param>
/// <param name="LowestVersion">The lowest version the spec defines.</param>
/// <param name="HighestVersion">The highest version the spec defines.</param>
/// <param name="FlexibleFrom">The first flexible version (compact fields, tagged fields, header v2), or <see cref="short.MaxValue"/>.</param>
public sealed record ApiSpec(short Key, string Name, short LowestVersion, short HighestVersion, short FlexibleFrom);
