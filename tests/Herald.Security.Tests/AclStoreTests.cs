namespace Herald.Security.Tests;

public sealed class AclStoreTests : IDisposable
{
    private static readonly AclBinding ReadOrders = new(AclResourceType.Topic, "orders", AclPatternType.Literal, "User:email", "*", AclOperation.Read, AclPermission.Allow);
    private static readonly AclBinding WriteOrdersPrefix = new(AclResourceType.Topic, "orders", AclPatternType.Prefixed, "User:shop", "*", AclOperation.Write, AclPermission.Allow);
    private static readonly AclBinding ReadGroup = new(AclResourceType.Group, "email", AclPatternType.Literal, "User:email", "*", AclOperation.Read, AclPermission.Allow);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-acls-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Acls_survive_reopening_once_each_and_deletes_by_filter_too()
    {
        var store = AclStore.Open(_directory);
        Assert.All(store.Add([ReadOrders, WriteOrdersPrefix, ReadGroup, ReadOrders]), problem => Assert.Null(problem));
        var version = store.Version;

        Assert.Equal([ReadOrders, WriteOrdersPrefix, ReadGroup], AclStore.Open(_directory).All);
        Assert.Equal([WriteOrdersPrefix], store.List(new AclBindingFilter(AclResourceType.Topic, "orders.eu", AclPatternType.Match)));
        Assert.Equal([ReadOrders, ReadGroup], store.List(new AclBindingFilter(Principal: "User:email")));

        var deleted = store.Delete([new AclBindingFilter(AclResourceType.Group), new AclBindingFilter(PatternType: AclPatternType.Prefixed)]);

        Assert.Equal([[ReadGroup], [WriteOrdersPrefix]], deleted);
        Assert.Equal([ReadOrders], AclStore.Open(_directory).All);
        Assert.True(store.Version > version);
    }

    [Fact]
    public void Match_takes_the_literal_wildcard_and_prefixes_that_apply_to_a_name()
    {
        var wildcard = ReadOrders with { ResourceName = "*" };
        var store = AclStore.InMemory();
        store.Add([ReadOrders, WriteOrdersPrefix, wildcard, ReadOrders with { ResourceName = "payments" }]);

        Assert.Equal([WriteOrdersPrefix, wildcard], store.List(new AclBindingFilter(AclResourceType.Topic, "orders.eu", AclPatternType.Match)));
        Assert.Equal([ReadOrders, WriteOrdersPrefix, wildcard], store.List(new AclBindingFilter(AclResourceType.Topic, "orders", AclPatternType.Match)));
    }

    [Fact]
    public void Malformed_acls_are_refused_one_by_one_and_a_damaged_file_is_left_alone()
    {
        var store = AclStore.Open(_directory);
        var problems = store.Add([
            ReadOrders,
            ReadOrders with { ResourceType = AclResourceType.Any },
            ReadOrders with { PatternType = AclPatternType.Match },
            ReadOrders with { Operation = AclOperation.Any },
            ReadOrders with { Permission = AclPermission.Any },
            ReadOrders with { Principal = "alice" },
            ReadOrders with { ResourceName = "" },
            ReadOrders with { ResourceType = AclResourceType.Cluster, ResourceName = "orders" },
        ]);

        Assert.Null(problems[0]);
        Assert.All(problems.Skip(1), problem => Assert.False(string.IsNullOrEmpty(problem)));
        Assert.Equal([ReadOrders], store.All);

        var path = Path.Combine(_directory, AclStore.FileName);
        var damaged = File.ReadAllText(path).Replace("\"Allow\"", "\"Perhaps\"", StringComparison.Ordinal);
        File.WriteAllText(path, damaged);
        var refused = Assert.Throws<InvalidDataException>(() => AclStore.Open(_directory));
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Equal(damaged, File.ReadAllText(path));
    }
}
