using System.Security.Cryptography;
using System.Text;

namespace Herald.Security;

/// <summary>
/// What a server keeps of a SCRAM password (RFC 5802): a random salt, the iteration count, and the two keys derived
/// from the salted password. The password itself cannot be recovered from it. Immutable.
/// </summary>
/// <param name="Mechanism">The SCRAM mechanism the keys are for.</param>
/// <param name="Salt">The salt, random per credential.</param>
/// <param name="Iterations">PBKDF2 iterations, <see cref="MinIterations"/> to <see cref="MaxIterations"/>.</param>
/// <param name="StoredKey">H(HMAC(SaltedPassword, "Client Key")): what a client's proof is checked against.</param>
/// <param name="ServerKey">HMAC(SaltedPassword, "Server Key"): what the server signs its answer with.</param>
public sealed record ScramCredential(ScramMechanism Mechanism, byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    /// <summary>The fewest iterations accepted, as Kafka's.</summary>
    public const int MinIterations = 4096;

    /// <summary>The most iterations accepted, as Kafka's: more makes every login a denial of service.</summary>
    public const int MaxIterations = 16384;

    /// <summary>The iterations new credentials get. Defaults to 8,192.</summary>
    public const int DefaultIterations = 8192;

    private const int SaltBytes = 32;

    /// <summary>A new credential for <paramref name="password"/>, with a fresh random salt.</summary>
    /// <exception cref="ArgumentException">Iterations out of range, or an empty password.</exception>
    public static ScramCredential FromPassword(ScramMechanism mechanism, string password, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        return FromPassword(mechanism, password, RandomNumberGenerator.GetBytes(SaltBytes), iterations);
    }

    /// <summary>The credential for <paramref name="password"/> with a given salt, as RFC 5802 derives it.</summary>
    public static ScramCredential FromPassword(ScramMechanism mechanism, string password, byte[] salt, int iterations)
    {
        CheckIterations(iterations);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, mechanism.Hash, mechanism.HashBytes);
        return FromSaltedPassword(mechanism, salt, salted, iterations);
    }

    /// <summary>
    /// The credential from a salted password computed elsewhere, as Kafka's AlterUserScramCredentials sends it, so the
    /// password never crosses the wire.
    /// </summary>
    public static ScramCredential FromSaltedPassword(ScramMechanism mechanism, byte[] salt, ReadOnlySpan<byte> saltedPassword, int iterations)
    {
        CheckIterations(iterations);
        if (salt.Length == 0)
        {
            throw new ArgumentException("A SCRAM salt must not be empty.", nameof(salt));
        }

        if (saltedPassword.Length != mechanism.HashBytes)
        {
            throw new ArgumentException($"A {mechanism.Name} salted password has {mechanism.HashBytes} bytes, not {saltedPassword.Length}.", nameof(saltedPassword));
        }

        var clientKey = mechanism.Hmac(saltedPassword, "Client Key"u8);
        var serverKey = mechanism.Hmac(saltedPassword, "Server Key"u8);
        return new ScramCredential(mechanism, salt, iterations, mechanism.Digest(clientKey), serverKey);
    }

    /// <summary>Whether <paramref name="password"/> is this credential's, compared in constant time.</summary>
    public bool Matches(string password)
    {
        var candidate = FromPassword(Mechanism, password, Salt, Iterations);
        return CryptographicOperations.FixedTimeEquals(candidate.StoredKey, StoredKey);
    }

    private static void CheckIterations(int iterations)
    {
        if (iterations is < MinIterations or > MaxIterations)
        {
            throw new ArgumentException($"SCRAM iterations must be {MinIterations} to {MaxIterations}, got {iterations}.", nameof(iterations));
        }
    }
}
