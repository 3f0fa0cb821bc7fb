using System.Buffers.Text;
using System.Text.Json;

namespace Herald.Server.Api;

/// <summary>
/// The opaque cursors the API hands out: base64url over a small JSON value. Clients pass them back unchanged; anything
/// else is answered 400.
/// </summary>
internal static class Cursor
{
    public static string EncodeName(string name) => Encode(new Dictionary<string, string> { ["after"] = name });

    public static string DecodeName(string cursor) =>
        Decode<Dictionary<string, string>>(cursor) is { } value && value.TryGetValue("after", out var name) ? name : throw Bad();

    /// <summary>Next offset per partition.</summary>
    public static string EncodePositions(IReadOnlyDictionary<int, long> positions) => Encode(positions);

    public static Dictionary<int, long> DecodePositions(string cursor)
    {
        var positions = Decode<Dictionary<int, long>>(cursor) ?? throw Bad();
        return positions.Count > 0 && positions.All(p => p.Key >= 0 && p.Value >= 0) ? positions : throw Bad();
    }

    private static string Encode<T>(T value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));

    private static T? Decode<T>(string cursor)
    {
        try
        {
            return cursor.Length <= 64 * 1024 ? JsonSerializer.Deserialize<T>(Base64Url.DecodeFromChars(cursor)) : throw Bad();
        }
        catch (Exception exception) when (exception is FormatException or JsonException or NotSupportedException)
        {
            throw Bad();
        }
    }

    private static ApiException Bad() => ApiException.BadRequest("The cursor is not one this API gave out; start again without it.");
}
