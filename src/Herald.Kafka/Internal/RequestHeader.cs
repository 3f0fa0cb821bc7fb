using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;

namespace Herald.Kafka.Internal;

/// <summary>Kafka's request header (v1, or v2 with tagged fields for flexible versions) and the response header rules.</summary>
internal static class RequestHeader
{
    /// <summary>Reads the header; the reader is left at the start of the body.</summary>
    public static (short ApiKey, short ApiVersion, int CorrelationId, string? ClientId) Read(ref KafkaReader reader)
    {
        var apiKey = reader.ReadInt16();
        var version = reader.ReadInt16();
        var correlationId = reader.ReadInt32();

        // The client id is an int16-prefixed string even in flexible header v2.
        var clientId = reader.ReadNullableString(compact: false);
        if (IsFlexible(apiKey, version))
        {
            reader.SkipTaggedFields();
        }

        return (apiKey, version, correlationId, clientId);
    }

    /// <summary>Whether this API version uses flexible headers and bodies.</summary>
    public static bool IsFlexible(short apiKey, short version) =>
        ApiCatalog.Find(apiKey) is { } api && version >= api.FlexibleFrom;

    /// <summary>Writes the response header: v0 (correlation id) or v1 (with tagged fields). ApiVersions always uses v0.</summary>
    public static void WriteResponse(KafkaWriter writer, short apiKey, short version, int correlationId)
    {
        writer.WriteInt32(correlationId);
        if (apiKey != ApiVersionsRequest.ApiKey && IsFlexible(apiKey, version))
        {
            writer.WriteUnsignedVarint(0);
        }
    }
}
