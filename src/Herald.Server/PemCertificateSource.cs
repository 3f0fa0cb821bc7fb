using System.Security.Cryptography.X509Certificates;

namespace Herald.Server;

/// <summary>
/// A TLS certificate from PEM files: the certificate (with any intermediates after it) and its private key. The files
/// are read again when they change, checked at most every few seconds, so a renewed certificate is served without a
/// restart; a renewal that cannot be read keeps the last good one. Thread-safe.
/// </summary>
public sealed class PemCertificateSource
{
    private readonly TimeSpan _checkEvery;
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly Lock _lock = new();
    private X509Certificate2Collection _current;
    private (DateTime Certificate, DateTime Key) _loadedStamps;
    private long _checkedAt = Environment.TickCount64;

    /// <summary>Reads the files once, now.</summary>
    /// <exception cref="ArgumentException">A file is missing, unreadable, or the key does not match the certificate.</exception>
    public PemCertificateSource(string certificatePath, string keyPath)
        : this(certificatePath, keyPath, TimeSpan.FromSeconds(5))
    {
    }

    internal PemCertificateSource(string certificatePath, string keyPath, TimeSpan checkEvery)
    {
        _checkEvery = checkEvery;
        _certificatePath = Path.GetFullPath(certificatePath);
        _keyPath = Path.GetFullPath(keyPath);
        _loadedStamps = Stamps();
        _current = Load();
    }

    /// <summary>The certificate with its key first, then the intermediates.</summary>
    public X509Certificate2Collection Current()
    {
        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref _checkedAt) < (long)_checkEvery.TotalMilliseconds)
        {
            return Volatile.Read(ref _current);
        }

        lock (_lock)
        {
            Volatile.Write(ref _checkedAt, now);
            try
            {
                var stamps = Stamps();
                if (stamps != _loadedStamps)
                {
                    Volatile.Write(ref _current, Load());
                    _loadedStamps = stamps;
                }
            }
            catch (ArgumentException)
            {
                // Half-written during a renewal, say: the last good certificate goes on serving until the files settle.
            }

            return _current;
        }
    }

    /// <summary>Loads CA certificates from a PEM file, to trust for client certificates.</summary>
    /// <exception cref="ArgumentException">The file is missing or holds no certificate.</exception>
    public static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new ArgumentException($"Cannot read the CA certificates in {path}: {exception.Message}", exception);
        }

        return authorities.Count > 0 ? authorities : throw new ArgumentException($"{path} holds no PEM certificate.");
    }

    private (DateTime, DateTime) Stamps() => (File.GetLastWriteTimeUtc(_certificatePath), File.GetLastWriteTimeUtc(_keyPath));

    private X509Certificate2Collection Load()
    {
        try
        {
            var leaf = X509Certificate2.CreateFromPemFile(_certificatePath, _keyPath);
            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(_certificatePath);
            var all = new X509Certificate2Collection(leaf);
            all.AddRange(chain.Where(c => c.Thumbprint != leaf.Thumbprint).ToArray());
            return all;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"Cannot load the TLS certificate {_certificatePath} with the key {_keyPath}: {exception.Message}", exception);
        }
    }
}
