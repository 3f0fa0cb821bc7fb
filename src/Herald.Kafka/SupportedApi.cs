namespace Herald.Kafka;

/// <summary>An API the Kafka listener answers.</summary>
/// <param name="Key">The API key.</param>
/// <param name="Name">The API name.</param>
/// <param name="MinVersion">The lowest version accepted.</param>
/// <param name="MaxVersion">The highest version accepted.</param>
/// <param name="FlexibleFrom">The first flexible version, or <see cref="short.MaxValue"/> when none is.</param>
public sealed record SupportedApi(short Key, string Name, short MinVersion, short MaxVersion, short FlexibleFrom);
