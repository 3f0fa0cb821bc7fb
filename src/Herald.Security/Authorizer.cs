namespace Herald.Security;

/// <summary>
/// Decides what a principal may do. Super users (Kafka's <c>super.users</c>) may do everything. Thread-safe.
/// </summary>
public sealed class Authorizer
{
    private readonly HashSet<Principal> _superUsers;

    /// <summary>An authorizer with these super users.</summary>
    public Authorizer(IEnumerable<Principal> superUsers) => _superUsers = [.. superUsers];

    /// <summary>An authorizer without super users.</summary>
    public static Authorizer None { get; } = new([]);

    /// <summary>The super users, in no particular order.</summary>
    public IReadOnlyCollection<Principal> SuperUsers => _superUsers;

    /// <summary>Whether the principal is a super user.</summary>
    public bool IsSuperUser(Principal principal) => _superUsers.Contains(principal);
}
