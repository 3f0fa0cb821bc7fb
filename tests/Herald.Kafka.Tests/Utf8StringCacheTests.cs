using System.Text;
using Herald.Kafka.Protocol;

namespace Herald.Kafka.Tests;

public sealed class Utf8StringCacheTests
{
    private static readonly UTF8Encoding Strict = new(false, true);

    [Fact]
    public void A_repeated_name_comes_back_as_the_same_instance_and_different_names_stay_distinct()
    {
        var cache = new Utf8StringCache();
        var first = cache.Get("orders"u8, Strict);
        Assert.Same(first, cache.Get("orders"u8, Strict));
        Assert.Equal("payments", cache.Get("payments"u8, Strict));

        // Far more names than slots: every answer is still right, whatever was evicted.
        for (var i = 0; i < 2000; i++)
        {
            var name = $"topic-{i}";
            Assert.Equal(name, cache.Get(Encoding.UTF8.GetBytes(name), Strict));
        }

        Assert.Equal("orders", cache.Get("orders"u8, Strict));
    }

    [Fact]
    public void Long_strings_are_decoded_without_caching_and_invalid_utf8_is_refused()
    {
        var cache = new Utf8StringCache();
        var longName = new string('x', 1000);
        Assert.Equal(longName, cache.Get(Encoding.UTF8.GetBytes(longName), Strict));
        Assert.NotSame(cache.Get(Encoding.UTF8.GetBytes(longName), Strict), cache.Get(Encoding.UTF8.GetBytes(longName), Strict));
        Assert.Throws<DecoderFallbackException>(() => cache.Get([0xFF, 0xFE], Strict));
    }
}
