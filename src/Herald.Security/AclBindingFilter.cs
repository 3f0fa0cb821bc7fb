namespace Herald.Security;

/// <summary>
/// Which ACLs a DescribeAcls or DeleteAcls means, as Kafka's filters: Any, or null for a name, matches everything; the
/// Match pattern type takes every ACL that would apply to the named resource.
/// </summary>
/// <param name="ResourceType">A type, or Any.</param>
/// <param name="ResourceName">A name, or null for any.</param>
/// <param name="PatternType">Literal, Prefixed, Any or Match.</param>
/// <param name="Principal">A principal, or null for any.</param>
/// <param name="Host">A host, or null for any.</param>
/// <param name="Operation">An operation, or Any.</param>
/// <param name="Permission">Allow, Deny or Any.</param>
public sealed record AclBindingFilter(
    AclResourceType ResourceType = AclResourceType.Any,
    string? ResourceName = null,
    AclPatternType PatternType = AclPatternType.Any,
    string? Principal = null,
    string? Host = null,
    AclOperation Operation = AclOperation.Any,
    AclPermission Permission = AclPermission.Any)
{
    /// <summary>Matches every ACL.</summary>
    public static AclBindingFilter All { get; } = new();

    /// <summary>Why this filter cannot be used, or null when it can.</summary>
    public string? Problem() =>
        !Enum.IsDefined(ResourceType) ? $"'{ResourceType}' is not a resource type"
        : !Enum.IsDefined(PatternType) ? $"'{PatternType}' is not a pattern type"
        : !Enum.IsDefined(Operation) ? $"'{Operation}' is not an operation"
        : !Enum.IsDefined(Permission) ? $"'{Permission}' is not a permission"
        : PatternType == AclPatternType.Match && (ResourceName is null || ResourceType == AclResourceType.Any) ? "the Match pattern type needs a resource type and name"
        : null;

    /// <summary>Whether the filter takes this ACL.</summary>
    public bool Matches(AclBinding acl) =>
        (ResourceType == AclResourceType.Any || acl.ResourceType == ResourceType)
        && NameMatches(acl)
        && (Principal is null || acl.Principal == Principal)
        && (Host is null || acl.Host == Host)
        && (Operation == AclOperation.Any || acl.Operation == Operation)
        && (Permission == AclPermission.Any || acl.Permission == Permission);

    private bool NameMatches(AclBinding acl) => PatternType switch
    {
        AclPatternType.Any => ResourceName is null || acl.ResourceName == ResourceName,
        AclPatternType.Match => acl.AppliesTo(acl.ResourceType, ResourceName!),
        _ => acl.PatternType == PatternType && (ResourceName is null || acl.ResourceName == ResourceName),
    };
}
