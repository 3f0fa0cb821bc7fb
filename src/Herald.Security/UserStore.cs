using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Security.Internal;

namespace Herald.Security;

/// <summary>
/// The users and their SCRAM credentials, kept in <c>users.json</c> in one directory and replaced atomically and durably
/// on every change (write, fsync, rename, fsync the directory), so a change that returned survives kill -9 and a power
/// cut, and a crash in the middle leaves the previous file. Passwords are never kept, only salted keys. Thread-safe.
/// </summary>
public sealed class UserStore
{
    /// <summary>The file's name in its directory.</summary>
    public const string FileName = "users.json";

    /// <summary>The longest user name accepted, in characters.</summary>
    public const int MaxUserNameLength = 256;

    private const int FormatVersion = 1;

    private readonly string? _directory;
    private readonly Lock _writing = new();

    // Keys the made-up salts of unknown users, so a login for one looks like a login for a real one, across restarts too.
    private readonly byte[] _secret;
    private volatile Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> _users;

    private UserStore(string? directory, byte[] secret, Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> users)
    {
        _directory = directory;
        _secret = secret;
        _users = users;
    }

    /// <summary>Raised after every change, on the changing thread.</summary>
    public event Action? Changed;

    /// <summary>Opens the store in <paramref name="directory"/>, creating the directory when it is missing.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a valid users file; it is left as it is.</exception>
    public static UserStore Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        if (SecurityFile.Read(directory, FileName, FormatVersion, "users") is not { } root)
        {
            var store = new UserStore(directory, RandomNumberGenerator.GetBytes(32), []);
            store.Save(store._users);
            return store;
        }

        var (secret, users) = Parse(root, Path.Combine(directory, FileName));
        return new UserStore(directory, secret, users);
    }

    /// <summary>A store kept in memory only, for tests and embedded use.</summary>
    public static UserStore InMemory() => new(null, RandomNumberGenerator.GetBytes(32), []);

    /// <summary>Whether any user exists.</summary>
    public bool IsEmpty => _users.Count == 0;

    /// <summary>Every user with the mechanisms it has credentials for, by name.</summary>
    public IReadOnlyList<UserCredentials> List() =>
        [.. _users.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => Describe(u.Key, u.Value))];

    /// <summary>One user's credentials, or null when there is no such user.</summary>
    public UserCredentials? Describe(string user) => _users.TryGetValue(user, out var credentials) ? Describe(user, credentials) : null;

    /// <summary>The user's credential for a mechanism, or null.</summary>
    public ScramCredential? Find(string user, ScramMechanism mechanism) =>
        _users.TryGetValue(user, out var credentials) ? credentials.GetValueOrDefault(mechanism) : null;

    /// <summary>Sets the user's password for both SCRAM mechanisms, adding the user when new.</summary>
    /// <exception cref="ArgumentException">A bad user name, an empty password or iterations out of range.</exception>
    public void SetPassword(string user, string password, int iterations = ScramCredential.DefaultIterations)
    {
        CheckUserName(user);
        var credentials = ScramMechanism.All.Select(m => ScramCredential.FromPassword(m, password, iterations)).ToList();
        Update(users =>
        {
            users[user] = credentials.ToDictionary(c => c.Mechanism);
            return true;
        });
    }

    /// <summary>Adds or replaces one credential of the user, adding the user when new.</summary>
    public void SetCredential(string user, ScramCredential credential)
    {
        CheckUserName(user);
        ArgumentNullException.ThrowIfNull(credential);
        Update(users =>
        {
            var credentials = users.TryGetValue(user, out var existing) ? new Dictionary<ScramMechanism, ScramCredential>(existing) : [];
            credentials[credential.Mechanism] = credential;
            users[user] = credentials;
            return true;
        });
    }

    /// <summary>Removes the user and all its credentials. False when there was no such user.</summary>
    public bool Delete(string user) => Update(users => users.Remove(user));

    /// <summary>Removes one credential; a user left with none is removed. False when there was no such credential.</summary>
    public bool DeleteCredential(string user, ScramMechanism mechanism) => Update(users =>
    {
        if (!users.TryGetValue(user, out var existing) || !existing.ContainsKey(mechanism))
        {
            return false;
        }

        var credentials = new Dictionary<ScramMechanism, ScramCredential>(existing);
        credentials.Remove(mechanism);
        if (credentials.Count == 0)
        {
            users.Remove(user);
        }
        else
        {
            users[user] = credentials;
        }

        return true;
    });

    /// <summary>
    /// Checks a user name and password (SASL PLAIN, HTTP Basic) against the user's strongest credential. An unknown
    /// user costs the same work as a known one, so the time taken does not say which it was.
    /// </summary>
    public bool Authenticate(string user, string password)
    {
        var credential = ScramMechanism.All.Select(m => Find(user, m)).FirstOrDefault(c => c is not null);
        if (credential is null)
        {
            var (salt, iterations) = MadeUpSalt(user, ScramMechanism.Sha512);
            _ = ScramCredential.FromPassword(ScramMechanism.Sha512, password.Length == 0 ? " " : password, salt, iterations);
            return false;
        }

        return password.Length > 0 && credential.Matches(password);
    }

    /// <summary>A salt and iteration count for a user that does not exist: the same for the same name every time.</summary>
    internal (byte[] Salt, int Iterations) MadeUpSalt(string user, ScramMechanism mechanism)
    {
        var salt = HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(mechanism.Name + "\0" + user));
        return (salt, ScramCredential.DefaultIterations);
    }

    /// <summary>Checks a user name: 1 to 256 characters, no control characters.</summary>
    /// <exception cref="ArgumentException">Saying what is wrong with it.</exception>
    public static void CheckUserName(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Length is 0 or > MaxUserNameLength)
        {
            throw new ArgumentException($"A user name has 1 to {MaxUserNameLength} characters, got {user.Length}.", nameof(user));
        }

        if (user.Any(char.IsControl))
        {
            throw new ArgumentException("A user name must not contain control characters.", nameof(user));
        }
    }

    private static UserCredentials Describe(string user, Dictionary<ScramMechanism, ScramCredential> credentials) =>
        new(user, [.. credentials.Values.OrderByDescending(c => c.Mechanism.HashBytes).Select(c => new CredentialInfo(c.Mechanism, c.Iterations))]);

    private bool Update(Func<Dictionary<string, Dictionary<ScramMechanism, ScramCredential>>, bool> change)
    {
        bool changed;
        lock (_writing)
        {
            var users = new Dictionary<string, Dictionary<ScramMechanism, ScramCredential>>(_users, StringComparer.Ordinal);
            changed = change(users);
            if (changed)
            {
                Save(users); // first, so a failed write changes nothing
                _users = users;
            }
        }

        if (changed)
        {
            Changed?.Invoke();
        }

        return changed;
    }

    private void Save(Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> users)
    {
        if (_directory is null)
        {
            return;
        }

        var json = new JsonObject
        {
            ["secret"] = Convert.ToBase64String(_secret),
            ["users"] = new JsonObject(users.OrderBy(u => u.Key, StringComparer.Ordinal).Select(user => KeyValuePair.Create<string, JsonNode?>(
                user.Key,
                new JsonObject(user.Value.Values.Select(c => KeyValuePair.Create<string, JsonNode?>(c.Mechanism.Name, new JsonObject
                {
                    ["iterations"] = c.Iterations,
                    ["salt"] = Convert.ToBase64String(c.Salt),
                    ["storedKey"] = Convert.ToBase64String(c.StoredKey),
                    ["serverKey"] = Convert.ToBase64String(c.ServerKey),
                })))))),
        };
        SecurityFile.Write(_directory, FileName, FormatVersion, json);
    }

    private static (byte[] Secret, Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> Users) Parse(JsonObject root, string path)
    {
        try
        {
            var secret = Convert.FromBase64String((string?)root["secret"] ?? throw new InvalidDataException("its secret is missing"));
            var users = new Dictionary<string, Dictionary<ScramMechanism, ScramCredential>>(StringComparer.Ordinal);
            foreach (var (name, node) in root["users"]?.AsObject() ?? [])
            {
                CheckUserName(name);
                var credentials = new Dictionary<ScramMechanism, ScramCredential>();
                foreach (var (mechanismName, value) in node?.AsObject() ?? throw new InvalidDataException($"user '{name}' has no credentials"))
                {
                    var mechanism = ScramMechanism.Find(mechanismName) ?? throw new InvalidDataException($"user '{name}' has a credential for an unknown mechanism '{mechanismName}'");
                    var fields = value?.AsObject() ?? throw new InvalidDataException($"user '{name}' has an empty {mechanismName} credential");
                    var credential = new ScramCredential(
                        mechanism,
                        Convert.FromBase64String((string?)fields["salt"] ?? ""),
                        (int?)fields["iterations"] ?? 0,
                        Convert.FromBase64String((string?)fields["storedKey"] ?? ""),
                        Convert.FromBase64String((string?)fields["serverKey"] ?? ""));
                    if (credential.Salt.Length == 0 || credential.StoredKey.Length != mechanism.HashBytes || credential.ServerKey.Length != mechanism.HashBytes
                        || credential.Iterations is < ScramCredential.MinIterations or > ScramCredential.MaxIterations)
                    {
                        throw new InvalidDataException($"user '{name}' has a malformed {mechanismName} credential");
                    }

                    credentials[mechanism] = credential;
                }

                users[name] = credentials;
            }

            return (secret, users);
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException or ArgumentException or InvalidDataException)
        {
            throw SecurityFile.Invalid(path, "users", exception);
        }
    }
}

/// <summary>A user and the SCRAM mechanisms it has credentials for.</summary>
/// <param name="User">The user's name.</param>
/// <param name="Credentials">Its credentials, strongest first.</param>
public sealed record UserCredentials(string User, IReadOnlyList<CredentialInfo> Credentials);

/// <summary>What may be told about a credential: its mechanism and iterations, never its keys.</summary>
/// <param name="Mechanism">The SCRAM mechanism.</param>
/// <param name="Iterations">Its PBKDF2 iterations.</param>
public sealed record CredentialInfo(ScramMechanism Mechanism, int Iterations);
