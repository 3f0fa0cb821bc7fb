using System.Text;

namespace Herald.Security.Tests;

public sealed class UserStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-users-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Users_survive_reopening_and_only_salted_keys_are_written()
    {
        var users = UserStore.Open(_directory);
        users.SetPassword("alice", "correct horse battery staple");
        users.SetPassword("bob", "hunter2", ScramCredential.MinIterations);
        users.SetPassword("bob", "hunter3", ScramCredential.MinIterations);

        var reopened = UserStore.Open(_directory);

        Assert.Equal(["alice", "bob"], reopened.List().Select(u => u.User));
        Assert.Equal(["SCRAM-SHA-512", "SCRAM-SHA-256"], reopened.Describe("alice")!.Credentials.Select(c => c.Mechanism.Name));
        Assert.Equal(ScramCredential.DefaultIterations, reopened.Describe("alice")!.Credentials[0].Iterations);
        Assert.True(reopened.Authenticate("alice", "correct horse battery staple"));
        Assert.True(reopened.Authenticate("bob", "hunter3"));
        Assert.False(reopened.Authenticate("bob", "hunter2"));
        var file = File.ReadAllText(Path.Combine(_directory, UserStore.FileName));
        Assert.DoesNotContain("correct horse", file, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter", file, StringComparison.Ordinal);
    }

    [Fact]
    public void Deleting_a_user_or_its_last_credential_removes_it_for_good()
    {
        var users = UserStore.Open(_directory);
        users.SetPassword("alice", "a", ScramCredential.MinIterations);
        users.SetPassword("bob", "b", ScramCredential.MinIterations);

        Assert.True(users.Delete("alice"));
        Assert.False(users.Delete("alice"));
        Assert.True(users.DeleteCredential("bob", ScramMechanism.Sha256));
        Assert.True(users.DeleteCredential("bob", ScramMechanism.Sha512));
        Assert.False(users.DeleteCredential("bob", ScramMechanism.Sha512));

        Assert.True(UserStore.Open(_directory).IsEmpty);
    }

    [Fact]
    public void A_credential_from_a_salted_password_matches_the_password()
    {
        var salt = Encoding.UTF8.GetBytes("some salt");
        var salted = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2("pa55"u8, salt, 4096, System.Security.Cryptography.HashAlgorithmName.SHA512, 64);
        var users = UserStore.Open(_directory);

        users.SetCredential("carol", ScramCredential.FromSaltedPassword(ScramMechanism.Sha512, salt, salted, 4096));

        Assert.True(UserStore.Open(_directory).Authenticate("carol", "pa55"));
        Assert.False(UserStore.Open(_directory).Authenticate("carol", "pa56"));
    }

    [Fact]
    public void A_damaged_file_is_refused_with_its_path_and_left_as_it_is()
    {
        UserStore.Open(_directory).SetPassword("alice", "a", ScramCredential.MinIterations);
        var path = Path.Combine(_directory, UserStore.FileName);
        var damaged = File.ReadAllText(path).Replace("\"iterations\": 4096", "\"iterations\": 12", StringComparison.Ordinal);
        File.WriteAllText(path, damaged);

        var refused = Assert.Throws<InvalidDataException>(() => UserStore.Open(_directory));

        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Equal(damaged, File.ReadAllText(path));
        File.WriteAllText(path, "{ not json");
        Assert.Throws<InvalidDataException>(() => UserStore.Open(_directory));
    }

    [Fact]
    public void A_leftover_temporary_file_from_a_crash_changes_nothing()
    {
        UserStore.Open(_directory).SetPassword("alice", "a", ScramCredential.MinIterations);
        File.WriteAllText(Path.Combine(_directory, UserStore.FileName + ".tmp"), "{ half written");

        Assert.True(UserStore.Open(_directory).Authenticate("alice", "a"));
    }

    [Theory]
    [InlineData("", "password", 4096)]
    [InlineData("bad\nname", "password", 4096)]
    [InlineData("alice", "", 4096)]
    [InlineData("alice", "password", 4095)]
    [InlineData("alice", "password", 16385)]
    public void Bad_names_passwords_and_iterations_are_refused(string user, string password, int iterations)
    {
        var users = UserStore.InMemory();

        Assert.ThrowsAny<ArgumentException>(() => users.SetPassword(user, password, iterations));
        Assert.True(users.IsEmpty);
    }
}
