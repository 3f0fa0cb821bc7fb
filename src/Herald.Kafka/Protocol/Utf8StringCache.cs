using System.Text;

namespace Herald.Kafka.Protocol;

/// <summary>
/// Remembers the strings one connection keeps sending (its client id, topic and group names), so decoding them again
/// returns the same instance instead of a new string. Not thread-safe: one per connection, used by its reading loop.
/// </summary>
public sealed class Utf8StringCache
{
    private const int Slots = 256;
    private const int MaxCachedBytes = 256;
    private readonly (byte[] Utf8, string Value)?[] _slots = new (byte[], string)?[Slots];

    /// <summary>The string for these UTF-8 bytes, decoded strictly; from the cache when it was seen before.</summary>
    /// <exception cref="DecoderFallbackException">The bytes are not valid UTF-8.</exception>
    public string Get(ReadOnlySpan<byte> utf8, UTF8Encoding encoding)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        if (utf8.Length > MaxCachedBytes)
        {
            return encoding.GetString(utf8);
        }

        var hash = new HashCode();
        hash.AddBytes(utf8);
        var slot = (uint)hash.ToHashCode() % Slots;
        if (_slots[slot] is { } cached && utf8.SequenceEqual(cached.Utf8))
        {
            return cached.Value;
        }

        var value = encoding.GetString(utf8);
        _slots[slot] = (utf8.ToArray(), value);
        return value;
    }
}
