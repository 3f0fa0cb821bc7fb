using System.Text;

namespace Herald.Security.Tests;

public sealed class PlainExchangeTests
{
    private static readonly UserStore Users = CreateUsers();

    [Theory]
    [InlineData("\0alice\0secret", true)]
    [InlineData("alice\0alice\0secret", true)]
    [InlineData("\0alice\0wrong", false)]
    [InlineData("\0mallory\0secret", false)]
    [InlineData("bob\0alice\0secret", false)] // acting as someone else
    [InlineData("\0alice\0", false)]
    [InlineData("alice\0secret", false)]
    [InlineData("\0\0secret", false)]
    [InlineData("\0alice\0secret\0more", false)]
    public void Authenticates_only_the_right_user_and_password(string message, bool succeeds)
    {
        var step = SaslExchange.Start(SaslExchange.Plain, Users)!.Evaluate(Encoding.UTF8.GetBytes(message));

        Assert.Equal(succeeds ? SaslOutcome.Succeeded : SaslOutcome.Failed, step.Outcome);
        Assert.Equal(succeeds ? Principal.User("alice") : null, step.Principal);
    }

    [Fact]
    public void A_second_message_or_an_oversized_one_fails()
    {
        var exchange = SaslExchange.Start(SaslExchange.Plain, Users)!;
        Assert.Equal(SaslOutcome.Succeeded, exchange.Evaluate("\0alice\0secret"u8).Outcome);
        Assert.Equal(SaslOutcome.Failed, exchange.Evaluate("\0alice\0secret"u8).Outcome);
        Assert.Equal(SaslOutcome.Failed, SaslExchange.Start(SaslExchange.Plain, Users)!.Evaluate(new byte[SaslExchange.MaxMessageBytes + 1]).Outcome);
    }

    [Fact]
    public void An_unknown_mechanism_has_no_exchange()
    {
        Assert.Null(SaslExchange.Start("GSSAPI", Users));
        Assert.Null(SaslExchange.Start("scram-sha-256", Users)); // SASL names are case-sensitive
    }

    private static UserStore CreateUsers()
    {
        var users = UserStore.InMemory();
        users.SetPassword("alice", "secret", ScramCredential.MinIterations);
        return users;
    }
}
