namespace Herald.Security;

/// <summary>
/// One ACL, as Kafka writes it: <paramref name="Principal"/> from <paramref name="Host"/> is allowed or denied
/// <paramref name="Operation"/> on the resources <paramref name="ResourceType"/> <paramref name="ResourceName"/> matches.
/// </summary>
/// <param name="ResourceType">Topic, Group, Cluster or TransactionalId.</param>
/// <param name="ResourceName">The name, a prefix, or <c>*</c> (literal) for every one; <c>kafka-cluster</c> for the cluster.</param>
/// <param name="PatternType">Literal or Prefixed.</param>
/// <param name="Principal"><c>User:name</c>, or <c>User:*</c> for every principal.</param>
/// <param name="Host">The client's IP address, or <c>*</c> for any.</param>
/// <param name="Operation">The operation, or All.</param>
/// <param name="Permission">Allow or Deny.</param>
public sealed record AclBinding(
    AclResourceType ResourceType,
    string ResourceName,
    AclPatternType PatternType,
    string Principal,
    string Host,
    AclOperation Operation,
    AclPermission Permission)
{
    /// <summary>The cluster's one resource name.</summary>
    public const string ClusterName = "kafka-cluster";

    /// <summary>The name that matches every resource, principal or host.</summary>
    public const string Wildcard = "*";

    /// <summary>Why this binding cannot be stored, or null when it can.</summary>
    public string? Problem() =>
        ResourceType is AclResourceType.Any || !Enum.IsDefined(ResourceType) ? $"'{ResourceType}' is not a resource type an ACL can name"
        : PatternType is not (AclPatternType.Literal or AclPatternType.Prefixed) ? $"an ACL's pattern type is Literal or Prefixed, not '{PatternType}'"
        : Operation is AclOperation.Any || !Enum.IsDefined(Operation) ? $"'{Operation}' is not an operation an ACL can name"
        : Permission is not (AclPermission.Allow or AclPermission.Deny) ? $"an ACL allows or denies, not '{Permission}'"
        : string.IsNullOrEmpty(ResourceName) ? "an ACL names its resource"
        : ResourceType == AclResourceType.Cluster && (ResourceName != ClusterName || PatternType != AclPatternType.Literal) ? $"the cluster's ACLs name the literal resource '{ClusterName}'"
        : !Security.Principal.TryParse(Principal, out _) ? $"a principal is written Type:name, such as User:alice; got '{Principal}'"
        : string.IsNullOrEmpty(Host) ? "an ACL names a host, or * for any"
        : null;

    /// <summary>Whether this ACL applies to the named resource.</summary>
    public bool AppliesTo(AclResourceType type, string name) => ResourceType == type && PatternType switch
    {
        AclPatternType.Literal => ResourceName == Wildcard || ResourceName == name,
        AclPatternType.Prefixed => name.StartsWith(ResourceName, StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>Whether this ACL applies to the principal connecting from the host.</summary>
    public bool AppliesTo(Principal principal, string host) =>
        (Principal == $"{principal.Type}:{Wildcard}" || Principal == principal.ToString()) && (Host == Wildcard || Host == host);
}
