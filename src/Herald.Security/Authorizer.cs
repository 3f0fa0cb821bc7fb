namespace Herald.Security;

/// <summary>
/// Decides what a principal may do, as Kafka's standard authorizer: super users may do everything; otherwise a
/// matching Deny wins over any Allow, and without a matching Allow the answer is no. Describe is implied by Read,
/// Write, Delete and Alter, and DescribeConfigs by AlterConfigs, as in Kafka. Thread-safe.
/// </summary>
public sealed class Authorizer
{
    private static readonly AclOperation[] ImplyDescribe = [AclOperation.Describe, AclOperation.Read, AclOperation.Write, AclOperation.Delete, AclOperation.Alter];
    private static readonly AclOperation[] ImplyDescribeConfigs = [AclOperation.DescribeConfigs, AclOperation.AlterConfigs];
    private readonly HashSet<Principal> _superUsers;

    /// <summary>An authorizer with these super users and ACLs.</summary>
    public Authorizer(IEnumerable<Principal> superUsers, AclStore acls)
    {
        _superUsers = [.. superUsers];
        Acls = acls;
    }

    /// <summary>An authorizer with these super users and no ACLs.</summary>
    public Authorizer(IEnumerable<Principal> superUsers)
        : this(superUsers, AclStore.InMemory())
    {
    }

    /// <summary>An authorizer without super users or ACLs: it allows nothing to anyone.</summary>
    public static Authorizer None { get; } = new([]);

    /// <summary>The ACLs it decides by.</summary>
    public AclStore Acls { get; }

    /// <summary>The super users, in no particular order.</summary>
    public IReadOnlyCollection<Principal> SuperUsers => _superUsers;

    /// <summary>Whether the principal is a super user.</summary>
    public bool IsSuperUser(Principal principal) => _superUsers.Contains(principal);

    /// <summary>Whether <paramref name="principal"/> connecting from <paramref name="host"/> may do the operation to the resource.</summary>
    public bool Authorize(Principal principal, string host, AclOperation operation, AclResourceType type, string name)
    {
        if (IsSuperUser(principal))
        {
            return true;
        }

        var applying = Acls.All.Where(a => a.AppliesTo(type, name) && a.AppliesTo(principal, host)).ToList();
        if (applying.Any(a => a.Permission == AclPermission.Deny && (a.Operation == operation || a.Operation == AclOperation.All)))
        {
            return false;
        }

        var granting = operation switch
        {
            AclOperation.Describe => ImplyDescribe,
            AclOperation.DescribeConfigs => ImplyDescribeConfigs,
            _ => [operation],
        };
        return applying.Any(a => a.Permission == AclPermission.Allow && (a.Operation == AclOperation.All || granting.Contains(a.Operation)));
    }

    /// <summary>Whether the principal may do the operation to at least one resource of the type (Kafka's rule for an idempotent producer's WRITE on any topic).</summary>
    public bool AuthorizeAny(Principal principal, string host, AclOperation operation, AclResourceType type)
    {
        if (IsSuperUser(principal))
        {
            return true;
        }

        var applying = Acls.All.Where(a => a.ResourceType == type && a.AppliesTo(principal, host)).ToList();
        var denied = applying.Any(a => a.Permission == AclPermission.Deny && a.PatternType == AclPatternType.Literal && a.ResourceName == AclBinding.Wildcard
            && (a.Operation == operation || a.Operation == AclOperation.All));
        return !denied && applying.Any(a => a.Permission == AclPermission.Allow && (a.Operation == operation || a.Operation == AclOperation.All));
    }
}
