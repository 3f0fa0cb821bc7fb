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

    /// <summary>
    /// The next offset of each partition still to read, as pairs in one array (compact for many partitions), after the
    /// partition the pages are limited to (-1 for all), so a cursor cannot be used with another scope.
    /// </summary>
    public static string EncodePositions(int? partition, IEnumerable<KeyValuePair<int, long>> positions) =>
        Encode(positions.SelectMany(p => new[] { p.Key, p.Value }).Prepend(partition ?? -1).ToArray());

    public static Dictionary<int, long> DecodePositions(string cursor, int? partition)
    {
        var pairs = Decode<long[]>(cursor) ?? throw Bad();
        if (pairs.Length < 3 || pairs.Length % 2 != 1)
        {
            throw Bad();
        }

        if (pairs[0] != (partition ?? -1))
        {
            throw ApiException.BadRequest("The cursor was given for other partitions; pass the same partition as the page before.");
        }

        var positions = new Dictionary<int, long>(pairs.Length / 2);
        for (var i = 1; i < pairs.Length; i += 2)
        {
            if (pairs[i] is < 0 or > int.MaxValue || pairs[i + 1] < 0 || !positions.TryAdd((int)pairs[i], pairs[i + 1]))
            {
                throw Bad();
            }
        }

        return positions;
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
