using System.Text.Json;
using Herald.Storage;

namespace Herald.Broker.Internal;

/// <summary>
/// The durable list of topics: one small JSON file replaced atomically on every change, so topics and their configs
/// survive restarts, crashes and power cuts exactly as they were last acknowledged.
/// </summary>
internal sealed class TopicCatalog(ILogFileSystem fileSystem, string directory)
{
    private const string FileName = "topics.json";
    private const int Version = 1;
    private const int MaxBytes = 64 * 1024 * 1024;

    public List<TopicMetadata> Load()
    {
        var path = Path.Combine(directory, FileName);
        var bytes = AtomicFile.Read(fileSystem, path, MaxBytes);
        if (bytes is null)
        {
            if (fileSystem.FileExists(path))
            {
                throw new InvalidDataException($"'{path}' is larger than {MaxBytes} bytes; it is not a topic catalog.");
            }

            return [];
        }

        TopicCatalogFile? catalog;
        try
        {
            catalog = JsonSerializer.Deserialize(bytes, TopicCatalogJson.Default.TopicCatalogFile);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"'{path}' is not a valid topic catalog: {exception.Message}", exception);
        }

        if (catalog is null || catalog.Version != Version)
        {
            throw new InvalidDataException($"'{path}' has catalog version {catalog?.Version}; this Herald reads version {Version}.");
        }

        return catalog.Topics;
    }

    public void Save(IEnumerable<TopicMetadata> topics)
    {
        var catalog = new TopicCatalogFile(Version, [.. topics.OrderBy(t => t.Name, StringComparer.Ordinal)]);
        AtomicFile.Write(fileSystem, directory, FileName, JsonSerializer.SerializeToUtf8Bytes(catalog, TopicCatalogJson.Default.TopicCatalogFile));
    }
}
