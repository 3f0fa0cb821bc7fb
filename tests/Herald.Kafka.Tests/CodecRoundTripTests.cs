using System.Collections;
using System.Reflection;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;

namespace Herald.Kafka.Tests;

/// <summary>
/// Every generated message, in every version its spec defines, filled with random values: written, read back and
/// written again gives the same bytes, and the reader consumes exactly what the writer wrote. Reading into an object
/// that already holds another message (as the server's pooled requests do) gives the same as reading into a new one.
/// </summary>
public sealed class CodecRoundTripTests
{
    public static TheoryData<string> Messages() =>
        [.. typeof(IKafkaMessage).Assembly.GetTypes().Where(t => typeof(IKafkaMessage).IsAssignableFrom(t) && t.IsClass && t.Namespace == "Herald.Kafka.Messages").Select(t => t.Name).Order()];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_version_round_trips(string name)
    {
        var type = typeof(IKafkaMessage).Assembly.GetType("Herald.Kafka.Messages." + name)!;
        var roundTrip = typeof(CodecRoundTripTests).GetMethod(nameof(RoundTrip), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
        try
        {
            roundTrip.Invoke(null, [name]);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
        }
    }

    private static void RoundTrip<T>(string name)
        where T : IKafkaMessage
    {
        var read = (MessageReader<T>)Delegate.CreateDelegate(typeof(MessageReader<T>), typeof(T).GetMethod("Read", BindingFlags.Public | BindingFlags.Static)!);
        var readInto = (ReadInto<T>)Delegate.CreateDelegate(typeof(ReadInto<T>), typeof(T).GetMethod("ReadFrom")!);
        var lowest = (short)typeof(T).GetField("LowestVersion")!.GetValue(null)!;
        var highest = (short)typeof(T).GetField("HighestVersion")!.GetValue(null)!;
        for (var seed = 0; seed < 5; seed++)
        {
            var message = (T)Fill(typeof(T), new Random(seed), depth: 0);
            for (var version = lowest; version <= highest; version++)
            {
                using var first = new KafkaWriter();
                message.Write(first, version);
                var bytes = first.WrittenSpan.ToArray();

                var reader = new KafkaReader(bytes.ToArray());
                var copy = read(ref reader, version);
                Assert.Equal(bytes.Length, reader.Position);

                using var second = new KafkaWriter();
                copy.Write(second, version);
                Assert.True(bytes.AsSpan().SequenceEqual(second.WrittenSpan), $"{name} v{version} (seed {seed}) did not round-trip");

                // Fields this version lacks must be reset too, so both are compared in the newest layout as well.
                var reused = (T)Fill(typeof(T), new Random(seed + 100), depth: 0);
                reader = new KafkaReader(bytes.ToArray());
                readInto(reused, ref reader, version);
                Assert.Equal(bytes.Length, reader.Position);
                foreach (var layout in new[] { version, highest })
                {
                    using var fresh = new KafkaWriter();
                    copy.Write(fresh, layout);
                    using var again = new KafkaWriter();
                    reused.Write(again, layout);
                    Assert.True(fresh.WrittenSpan.SequenceEqual(again.WrittenSpan), $"{name} v{version} read into a used object differs in v{layout} (seed {seed})");
                }
            }
        }
    }

    private delegate void ReadInto<in T>(T target, ref KafkaReader reader, short version);

    [Fact]
    public void Covers_every_api_in_the_catalog()
    {
        var names = typeof(IKafkaMessage).Assembly.GetTypes().Select(t => t.Name).ToHashSet();
        Assert.All(ApiCatalog.All, api =>
        {
            Assert.Contains(api.Name + "Request", names);
            Assert.Contains(api.Name + "Response", names);
        });
        Assert.Equal(29, ApiCatalog.All.Count);
    }

    private static object Fill(Type type, Random random, int depth)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            property.SetValue(instance, Value(property.PropertyType, random, depth));
        }

        return instance;
    }

    private static object? Value(Type type, Random random, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying == typeof(Memory<byte>))
        {
            return random.Next(4) == 0 ? null : (Memory<byte>?)Bytes(random);
        }

        return type switch
        {
            _ when type == typeof(bool) => random.Next(2) == 1,
            _ when type == typeof(sbyte) => (sbyte)random.Next(-128, 128),
            _ when type == typeof(short) => (short)random.Next(short.MinValue, short.MaxValue),
            _ when type == typeof(ushort) => (ushort)random.Next(ushort.MaxValue),
            _ when type == typeof(int) => random.Next(int.MinValue, int.MaxValue),
            _ when type == typeof(uint) => (uint)random.NextInt64(uint.MaxValue),
            _ when type == typeof(long) => random.NextInt64(long.MinValue, long.MaxValue),
            _ when type == typeof(double) => random.NextDouble(),
            _ when type == typeof(Guid) => Guid.NewGuid(),
            _ when type == typeof(string) => random.Next(5) == 0 ? string.Empty : "s" + random.Next(100_000),
            _ when type == typeof(byte[]) => Bytes(random),
            _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) => List(type, random, depth),
            _ when type.IsClass => depth < 4 ? Fill(type, random, depth + 1) : Activator.CreateInstance(type),
            _ => throw new InvalidOperationException($"no generator for {type}"),
        };
    }

    private static IList List(Type type, Random random, int depth)
    {
        var list = (IList)Activator.CreateInstance(type)!;
        var count = depth < 3 ? random.Next(4) : 0;
        for (var i = 0; i < count; i++)
        {
            list.Add(Value(type.GetGenericArguments()[0], random, depth + 1));
        }

        return list;
    }

    private static byte[] Bytes(Random random)
    {
        var bytes = new byte[random.Next(40)];
        random.NextBytes(bytes);
        return bytes;
    }
}
