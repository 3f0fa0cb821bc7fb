using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Security.Internal;

namespace Herald.Security;

/// <summary>
/// The ACLs, kept in <c>acls.json</c> in one directory and replaced atomically and durably on every change, so a change
/// that returned survives kill -9 and a power cut. Readers see one consistent list at a time. Thread-safe.
/// </summary>
public sealed class AclStore
{
    /// <summary>The file's name in its directory.</summary>
    public const string FileName = "acls.json";

    private const int FormatVersion = 1;
    private readonly string? _directory;
    private readonly Lock _writing = new();
    private volatile AclBinding[] _acls;
    private long _version;

    private AclStore(string? directory, AclBinding[] acls)
    {
        _directory = directory;
        _acls = acls;
    }

    /// <summary>Grows by one with every change, so what was decided from the ACLs can be cached until it moves.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>Every ACL, in the order they were added.</summary>
    public IReadOnlyList<AclBinding> All => _acls;

    /// <summary>Opens the store in <paramref name="directory"/>, creating the directory when it is missing.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a valid ACL file; it is left as it is.</exception>
    public static AclStore Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var root = SecurityFile.Read(directory, FileName, FormatVersion, "ACL");
        return new AclStore(directory, root is null ? [] : Parse(root, Path.Combine(directory, FileName)));
    }

    /// <summary>A store kept in memory only, for tests and embedded use.</summary>
    public static AclStore InMemory() => new(null, []);

    /// <summary>The ACLs the filter matches.</summary>
    public IReadOnlyList<AclBinding> List(AclBindingFilter filter) => [.. _acls.Where(filter.Matches)];

    /// <summary>
    /// Adds the ACLs that are valid, in one durable write; an ACL already there is not added twice. Returns, for each,
    /// null or why it was refused.
    /// </summary>
    public IReadOnlyList<string?> Add(IReadOnlyList<AclBinding> acls)
    {
        var problems = acls.Select(a => a.Problem()).ToList();
        Update(current =>
        {
            var added = current.Concat(acls.Where((_, i) => problems[i] is null)).Distinct().ToArray();
            return added.Length == current.Length ? null : added;
        });
        return problems;
    }

    /// <summary>Deletes what each filter matches, in one durable write. Returns, for each filter, the ACLs it deleted.</summary>
    public IReadOnlyList<IReadOnlyList<AclBinding>> Delete(IReadOnlyList<AclBindingFilter> filters)
    {
        var deleted = new List<IReadOnlyList<AclBinding>>();
        Update(current =>
        {
            deleted.Clear();
            deleted.AddRange(filters.Select(f => (IReadOnlyList<AclBinding>)[.. current.Where(f.Matches)]));
            var kept = current.Where(a => !filters.Any(f => f.Matches(a))).ToArray();
            return kept.Length == current.Length ? null : kept;
        });
        return deleted;
    }

    // Writes the changed list first, so a failed write changes nothing; null means there is no change.
    private void Update(Func<AclBinding[], AclBinding[]?> change)
    {
        lock (_writing)
        {
            if (change(_acls) is not { } changed)
            {
                return;
            }

            Save(changed);
            _acls = changed;
            Interlocked.Increment(ref _version);
        }
    }

    private void Save(AclBinding[] acls)
    {
        if (_directory is null)
        {
            return;
        }

        var json = new JsonObject
        {
            ["acls"] = new JsonArray([.. acls.Select(a => (JsonNode)new JsonObject
            {
                ["resourceType"] = a.ResourceType.ToString(),
                ["resourceName"] = a.ResourceName,
                ["patternType"] = a.PatternType.ToString(),
                ["principal"] = a.Principal,
                ["host"] = a.Host,
                ["operation"] = a.Operation.ToString(),
                ["permission"] = a.Permission.ToString(),
            })]),
        };
        SecurityFile.Write(_directory, FileName, FormatVersion, json);
    }

    private static AclBinding[] Parse(JsonObject root, string path)
    {
        try
        {
            return [.. (root["acls"]?.AsArray() ?? []).Select((node, i) =>
            {
                var fields = node?.AsObject() ?? throw new InvalidDataException($"ACL {i} is empty");
                var acl = new AclBinding(
                    Enum.Parse<AclResourceType>((string?)fields["resourceType"] ?? ""),
                    (string?)fields["resourceName"] ?? "",
                    Enum.Parse<AclPatternType>((string?)fields["patternType"] ?? ""),
                    (string?)fields["principal"] ?? "",
                    (string?)fields["host"] ?? "",
                    Enum.Parse<AclOperation>((string?)fields["operation"] ?? ""),
                    Enum.Parse<AclPermission>((string?)fields["permission"] ?? ""));
                return acl.Problem() is { } problem ? throw new InvalidDataException($"ACL {i}: {problem}") : acl;
            })];
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException or ArgumentException or InvalidDataException)
        {
            throw SecurityFile.Invalid(path, "ACL", exception);
        }
    }
}
