using CsCheck;

namespace Herald.Security.Tests;

public sealed class AuthorizerTests
{
    private static readonly Principal Producer = Principal.User("orders-producer");
    private static readonly Principal Email = Principal.User("email");
    private const string Host = "10.0.0.7";

    [Fact]
    public void A_producer_may_write_to_its_prefix_but_not_read_and_describe_follows_from_write()
    {
        var authorizer = With(Allow(Producer, AclOperation.Write, AclResourceType.Topic, "orders", AclPatternType.Prefixed));

        Assert.True(authorizer.Authorize(Producer, Host, AclOperation.Write, AclResourceType.Topic, "orders"));
        Assert.True(authorizer.Authorize(Producer, Host, AclOperation.Write, AclResourceType.Topic, "orders.eu"));
        Assert.True(authorizer.Authorize(Producer, Host, AclOperation.Describe, AclResourceType.Topic, "orders.eu"));
        Assert.False(authorizer.Authorize(Producer, Host, AclOperation.Read, AclResourceType.Topic, "orders"));
        Assert.False(authorizer.Authorize(Producer, Host, AclOperation.Write, AclResourceType.Topic, "payments"));
        Assert.False(authorizer.Authorize(Producer, Host, AclOperation.Write, AclResourceType.Topic, "order"));
        Assert.False(authorizer.Authorize(Email, Host, AclOperation.Write, AclResourceType.Topic, "orders"));
    }

    [Fact]
    public void A_consumer_may_read_its_topic_in_its_group_only()
    {
        var authorizer = With(
            Allow(Email, AclOperation.Read, AclResourceType.Topic, "orders"),
            Allow(Email, AclOperation.Read, AclResourceType.Group, "email"));

        Assert.True(authorizer.Authorize(Email, Host, AclOperation.Read, AclResourceType.Topic, "orders"));
        Assert.True(authorizer.Authorize(Email, Host, AclOperation.Read, AclResourceType.Group, "email"));
        Assert.True(authorizer.Authorize(Email, Host, AclOperation.Describe, AclResourceType.Group, "email"));
        Assert.False(authorizer.Authorize(Email, Host, AclOperation.Read, AclResourceType.Group, "billing"));
        Assert.False(authorizer.Authorize(Email, Host, AclOperation.Read, AclResourceType.Topic, "orders-archive"));
        Assert.False(authorizer.Authorize(Email, Host, AclOperation.Delete, AclResourceType.Group, "email"));
    }

    [Fact]
    public void A_deny_overrides_a_prefix_allow_and_all()
    {
        var authorizer = With(
            Allow(Producer, AclOperation.All, AclResourceType.Topic, "orders", AclPatternType.Prefixed),
            new AclBinding(AclResourceType.Topic, "orders.secret", AclPatternType.Literal, Producer.ToString(), "*", AclOperation.Read, AclPermission.Deny));

        Assert.True(authorizer.Authorize(Producer, Host, AclOperation.Read, AclResourceType.Topic, "orders.public"));
        Assert.False(authorizer.Authorize(Producer, Host, AclOperation.Read, AclResourceType.Topic, "orders.secret"));
        Assert.True(authorizer.Authorize(Producer, Host, AclOperation.Write, AclResourceType.Topic, "orders.secret"));
    }

    [Fact]
    public void Wildcards_hosts_and_super_users()
    {
        var authorizer = new Authorizer([Principal.User("admin")], Store(
            new AclBinding(AclResourceType.Topic, "*", AclPatternType.Literal, "User:*", "10.0.0.7", AclOperation.Describe, AclPermission.Allow)));

        Assert.True(authorizer.Authorize(Email, "10.0.0.7", AclOperation.Describe, AclResourceType.Topic, "anything"));
        Assert.False(authorizer.Authorize(Email, "10.0.0.8", AclOperation.Describe, AclResourceType.Topic, "anything"));
        Assert.False(authorizer.Authorize(Email, "10.0.0.7", AclOperation.Read, AclResourceType.Topic, "anything"));
        Assert.True(authorizer.Authorize(Principal.User("admin"), "10.0.0.9", AclOperation.Delete, AclResourceType.Cluster, AclBinding.ClusterName));
        Assert.False(Authorizer.None.Authorize(Email, Host, AclOperation.Describe, AclResourceType.Topic, "orders"));
    }

    [Fact]
    public void An_idempotent_producer_needs_write_on_some_topic_or_idempotent_write_on_the_cluster()
    {
        var writer = With(Allow(Producer, AclOperation.Write, AclResourceType.Topic, "orders", AclPatternType.Prefixed));
        Assert.True(writer.AuthorizeAny(Producer, Host, AclOperation.Write, AclResourceType.Topic));
        Assert.False(writer.AuthorizeAny(Email, Host, AclOperation.Write, AclResourceType.Topic));
    }

    [Fact]
    public void An_allow_never_takes_a_right_away_and_a_deny_never_gives_one()
    {
        var names = Gen.OneOf("orders", "orders.eu", "payments", "o", "*");
        var principals = Gen.OneOf("User:alice", "User:bob", "User:*");
        var operations = Gen.Enum<AclOperation>().Where(o => o != AclOperation.Any);
        var acl = Gen.Select(
            Gen.OneOf(AclResourceType.Topic, AclResourceType.Group),
            names,
            Gen.OneOf(AclPatternType.Literal, AclPatternType.Prefixed),
            principals,
            Gen.OneOf("*", "10.0.0.7"),
            operations,
            Gen.OneOf(AclPermission.Allow, AclPermission.Deny))
            .Select((t, n, p, who, h, o, perm) => new AclBinding(t, n, p, who, h, o, perm));
        var query = Gen.Select(Gen.OneOf("alice", "bob"), Gen.OneOf("10.0.0.7", "10.0.0.8"), operations, Gen.OneOf(AclResourceType.Topic, AclResourceType.Group), Gen.OneOf("orders", "orders.eu", "payments", "o"));

        Gen.Select(acl.Array[0, 8], acl, query).Sample((acls, added, q) =>
        {
            var (user, host, operation, type, name) = q;
            var before = With(acls).Authorize(Principal.User(user), host, operation, type, name);
            var after = With([.. acls, added]).Authorize(Principal.User(user), host, operation, type, name);
            if (added.Permission == AclPermission.Allow)
            {
                Assert.True(after || !before, $"adding {added} took {operation} on {type} {name} away from {user}");
            }
            else
            {
                Assert.True(before || !after, $"adding {added} gave {operation} on {type} {name} to {user}");
            }
        }, iter: 2000);
    }

    private static Authorizer With(params AclBinding[] acls) => new([], Store(acls));

    private static AclStore Store(params AclBinding[] acls)
    {
        var store = AclStore.InMemory();
        Assert.All(store.Add(acls), problem => Assert.Null(problem));
        return store;
    }

    private static AclBinding Allow(Principal principal, AclOperation operation, AclResourceType type, string name, AclPatternType pattern = AclPatternType.Literal) =>
        new(type, name, pattern, principal.ToString(), "*", operation, AclPermission.Allow);
}
