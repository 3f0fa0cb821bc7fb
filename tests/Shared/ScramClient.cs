using System.Security.Cryptography;
using System.Text;
using Herald.Security;

namespace Herald.Testing;

/// <summary>The client's side of SCRAM (RFC 5802), to drive the server's; checked itself against RFC 7677's example.</summary>
internal sealed class ScramClient(ScramMechanism mechanism, string user, string password, string? clientNonce = null)
{
    private readonly string _clientNonce = clientNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    private string _clientFirstBare = "";
    private byte[] _serverKey = [];
    private string _authMessage = "";

    public string First()
    {
        _clientFirstBare = $"n={user.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal)},r={_clientNonce}";
        return "n,," + _clientFirstBare;
    }

    public string Final(string serverFirst, string? nonceOverride = null)
    {
        var attributes = serverFirst.Split(',').ToDictionary(a => a[..1], a => a[2..]);
        var salt = Convert.FromBase64String(attributes["s"]);
        var iterations = int.Parse(attributes["i"], System.Globalization.CultureInfo.InvariantCulture);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, mechanism.Hash, mechanism.HashBytes);
        var clientKey = Hmac(salted, "Client Key");
        _serverKey = Hmac(salted, "Server Key");
        var storedKey = mechanism.Hash == HashAlgorithmName.SHA256 ? SHA256.HashData(clientKey) : SHA512.HashData(clientKey);
        var withoutProof = $"c=biws,r={nonceOverride ?? attributes["r"]}";
        _authMessage = $"{_clientFirstBare},{serverFirst},{withoutProof}";
        var signature = Hmac(storedKey, _authMessage);
        var proof = clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();
        return $"{withoutProof},p={Convert.ToBase64String(proof)}";
    }

    public bool VerifiesServer(string serverFinal) => serverFinal == "v=" + Convert.ToBase64String(Hmac(_serverKey, _authMessage));

    private byte[] Hmac(byte[] key, string data) => mechanism.Hash == HashAlgorithmName.SHA256
        ? HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data))
        : HMACSHA512.HashData(key, Encoding.UTF8.GetBytes(data));
}
