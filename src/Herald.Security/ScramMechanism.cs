using System.Security.Cryptography;

namespace Herald.Security;

/// <summary>A SCRAM mechanism (RFC 5802) and the hash it is built on. Herald supports SCRAM-SHA-256 and SCRAM-SHA-512.</summary>
public sealed class ScramMechanism
{
    /// <summary>SCRAM-SHA-256 (RFC 7677).</summary>
    public static ScramMechanism Sha256 { get; } = new("SCRAM-SHA-256", HashAlgorithmName.SHA256, 32, kafkaType: 1);

    /// <summary>SCRAM-SHA-512.</summary>
    public static ScramMechanism Sha512 { get; } = new("SCRAM-SHA-512", HashAlgorithmName.SHA512, 64, kafkaType: 2);

    /// <summary>Both, strongest first.</summary>
    public static IReadOnlyList<ScramMechanism> All { get; } = [Sha512, Sha256];

    private ScramMechanism(string name, HashAlgorithmName hash, int hashBytes, sbyte kafkaType)
    {
        Name = name;
        Hash = hash;
        HashBytes = hashBytes;
        KafkaType = kafkaType;
    }

    /// <summary>The SASL mechanism name, <c>SCRAM-SHA-256</c> or <c>SCRAM-SHA-512</c>.</summary>
    public string Name { get; }

    /// <summary>The hash function.</summary>
    public HashAlgorithmName Hash { get; }

    /// <summary>The length of a hash, and so of every key, in bytes.</summary>
    public int HashBytes { get; }

    /// <summary>The number Kafka's DescribeUserScramCredentials and AlterUserScramCredentials APIs use for it.</summary>
    public sbyte KafkaType { get; }

    /// <summary>The mechanism with this SASL name (case-insensitive), or null.</summary>
    public static ScramMechanism? Find(string name) => All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The mechanism with this Kafka type number, or null.</summary>
    public static ScramMechanism? Find(sbyte kafkaType) => All.FirstOrDefault(m => m.KafkaType == kafkaType);

    internal byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => Hash == HashAlgorithmName.SHA256
        ? HMACSHA256.HashData(key, data)
        : HMACSHA512.HashData(key, data);

    internal byte[] Digest(ReadOnlySpan<byte> data) => Hash == HashAlgorithmName.SHA256 ? SHA256.HashData(data) : SHA512.HashData(data);

    /// <inheritdoc />
    public override string ToString() => Name;
}
