using System.Text;
using CsCheck;
using Herald.Testing;
using Herald.Security.Internal;

namespace Herald.Security.Tests;

public sealed class ScramExchangeTests
{
    // RFC 7677, section 3.
    private const string RfcClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string RfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string RfcSalt = "W22ZaJ0SNY7soEsUEjb6gQ==";
    private const string RfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string RfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    [Fact]
    public void Rfc_7677_example_is_answered_byte_for_byte()
    {
        var users = RfcUsers();
        var exchange = new ScramExchange(ScramMechanism.Sha256, users, () => RfcServerNonce);

        var first = exchange.Evaluate(Bytes($"n,,n=user,r={RfcClientNonce}"));
        Assert.Equal(SaslOutcome.Continue, first.Outcome);
        Assert.Equal($"r={RfcClientNonce}{RfcServerNonce},s={RfcSalt},i=4096", Text(first.Challenge));

        var final = exchange.Evaluate(Bytes(RfcClientFinal));
        Assert.Equal(SaslOutcome.Succeeded, final.Outcome);
        Assert.Equal(RfcServerFinal, Text(final.Challenge));
        Assert.Equal(Principal.User("user"), final.Principal);
    }

    [Fact]
    public void The_test_client_computes_the_rfc_7677_proof()
    {
        var client = new ScramClient(ScramMechanism.Sha256, "user", "pencil", RfcClientNonce);
        Assert.Equal($"n,,n=user,r={RfcClientNonce}", client.First());
        Assert.Equal(RfcClientFinal, client.Final($"r={RfcClientNonce}{RfcServerNonce},s={RfcSalt},i=4096"));
        Assert.True(client.VerifiesServer(RfcServerFinal));
    }

    [Fact]
    public void A_replayed_proof_fails_against_a_new_server_nonce()
    {
        var users = RfcUsers();
        var replay = new ScramExchange(ScramMechanism.Sha256, users, () => "another-server-nonce");
        replay.Evaluate(Bytes($"n,,n=user,r={RfcClientNonce}"));

        var step = replay.Evaluate(Bytes(RfcClientFinal));

        Assert.Equal(SaslOutcome.Failed, step.Outcome);
        Assert.Contains("nonce", step.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_proof_for_the_right_nonce_but_wrong_password_fails_without_naming_the_user_as_known()
    {
        var users = UserStore.InMemory();
        users.SetPassword("alice", "right", ScramCredential.MinIterations);
        var wrong = Run(users, ScramMechanism.Sha512, "alice", "wrong");
        var unknown = Run(users, ScramMechanism.Sha512, "mallory", "wrong");

        Assert.Equal(SaslOutcome.Failed, wrong.Outcome);
        Assert.Equal(SaslOutcome.Failed, unknown.Outcome);
        Assert.Empty(wrong.Challenge);
        Assert.Empty(unknown.Challenge);
        Assert.Equal(SaslOutcome.Succeeded, Run(users, ScramMechanism.Sha512, "alice", "right").Outcome);
    }

    [Fact]
    public void An_unknown_user_gets_a_salt_that_stays_the_same_as_a_real_one_does()
    {
        var users = UserStore.InMemory();
        users.SetPassword("alice", "secret", ScramCredential.MinIterations);
        string Salt(string user) => Text(new ScramExchange(ScramMechanism.Sha256, users).Evaluate(Bytes($"n,,n={user},r=abc")).Challenge).Split(',')[1];

        Assert.Equal(Salt("alice"), Salt("alice"));
        Assert.Equal(Salt("mallory"), Salt("mallory"));
        Assert.NotEqual(Salt("mallory"), Salt("trudy"));
    }

    [Fact]
    public void Librdkafka_before_2_2_repeating_its_nonce_in_the_final_message_is_accepted()
    {
        var users = UserStore.InMemory();
        users.SetPassword("alice", "secret", ScramCredential.MinIterations);
        var client = new ScramClient(ScramMechanism.Sha256, "alice", "secret", "client-nonce");
        var exchange = new ScramExchange(ScramMechanism.Sha256, users, () => "server-nonce");
        var serverFirst = Text(exchange.Evaluate(Bytes(client.First())).Challenge);

        var step = exchange.Evaluate(Bytes(client.Final(serverFirst, nonceOverride: "client-nonceclient-nonceserver-nonce")));

        Assert.Equal(SaslOutcome.Succeeded, step.Outcome);
        Assert.True(client.VerifiesServer(Text(step.Challenge)));
    }

    [Theory]
    [InlineData("n,,n=user")] // no nonce
    [InlineData("n,n=user,r=abc")] // gs2 header cut short
    [InlineData("p=tls-unique,,n=user,r=abc")] // channel binding
    [InlineData("x,,n=user,r=abc")]
    [InlineData("n,,m=ext,n=user,r=abc")] // a mandatory extension
    [InlineData("n,,n=us=er,r=abc")] // a bad escape
    [InlineData("n,,n=,r=abc")]
    [InlineData("n,a=someone-else,n=user,r=abc")]
    [InlineData("n,,n=user,r=abc,tokenauth=true")]
    [InlineData("n,,n=user,r=a b")]
    [InlineData("")]
    public void A_malformed_client_first_message_fails(string message)
    {
        var step = new ScramExchange(ScramMechanism.Sha256, RfcUsers()).Evaluate(Bytes(message));

        Assert.Equal(SaslOutcome.Failed, step.Outcome);
        Assert.False(string.IsNullOrEmpty(step.Reason));
    }

    [Theory]
    [InlineData("c=biws,r={nonce}")] // no proof
    [InlineData("c=biws,r={nonce},p=")] // empty proof
    [InlineData("c=biws,r={nonce},p=!!notbase64")]
    [InlineData("c=eSws,r={nonce},p=AAAA")] // another gs2 header
    [InlineData("c=biws,r=someone-elses-nonce,p=AAAA")]
    [InlineData("c=biws,p=AAAA")]
    [InlineData("c=biws,r={nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ")] // truncated base64
    public void A_malformed_or_wrong_client_final_message_fails(string template)
    {
        var exchange = new ScramExchange(ScramMechanism.Sha256, RfcUsers(), () => RfcServerNonce);
        exchange.Evaluate(Bytes($"n,,n=user,r={RfcClientNonce}"));

        var step = exchange.Evaluate(Bytes(template.Replace("{nonce}", RfcClientNonce + RfcServerNonce, StringComparison.Ordinal)));

        Assert.Equal(SaslOutcome.Failed, step.Outcome);
    }

    [Fact]
    public void Nothing_is_accepted_after_the_exchange_ended_or_out_of_size_or_not_utf8()
    {
        var exchange = new ScramExchange(ScramMechanism.Sha256, RfcUsers(), () => RfcServerNonce);
        exchange.Evaluate(Bytes($"n,,n=user,r={RfcClientNonce}"));
        Assert.Equal(SaslOutcome.Succeeded, exchange.Evaluate(Bytes(RfcClientFinal)).Outcome);
        Assert.Equal(SaslOutcome.Failed, exchange.Evaluate(Bytes(RfcClientFinal)).Outcome);

        var oversized = new byte[SaslExchange.MaxMessageBytes + 1];
        Assert.Equal(SaslOutcome.Failed, new ScramExchange(ScramMechanism.Sha256, RfcUsers()).Evaluate(oversized).Outcome);
        Assert.Equal(SaslOutcome.Failed, new ScramExchange(ScramMechanism.Sha256, RfcUsers()).Evaluate([0x6e, 0x2c, 0x2c, 0xff, 0xfe]).Outcome);
    }

    [Fact]
    public void Any_user_and_password_authenticate_exactly_when_the_password_is_the_users()
    {
        var users = UserStore.InMemory();
        Gen.Select(Gen.String[1, 40], Gen.String[1, 40], Gen.String[1, 40], Gen.Bool).Sample((user, password, guess, useRight) =>
        {
            if (user.Any(char.IsControl))
            {
                return;
            }

            users.SetPassword(user, password, ScramCredential.MinIterations);
            var tried = useRight ? password : guess;
            var mechanism = useRight ? ScramMechanism.Sha512 : ScramMechanism.Sha256;
            var step = Run(users, mechanism, user, tried);
            Assert.Equal(tried == password, step.Outcome == SaslOutcome.Succeeded);
            Assert.Equal(tried == password, users.Authenticate(user, tried));
        }, iter: 60);
    }

    private static SaslStep Run(UserStore users, ScramMechanism mechanism, string user, string password)
    {
        var client = new ScramClient(mechanism, user, password);
        var exchange = SaslExchange.Start(mechanism.Name, users)!;
        var first = exchange.Evaluate(Bytes(client.First()));
        Assert.Equal(SaslOutcome.Continue, first.Outcome);
        var final = exchange.Evaluate(Bytes(client.Final(Text(first.Challenge))));
        if (final.Outcome == SaslOutcome.Succeeded)
        {
            Assert.True(client.VerifiesServer(Text(final.Challenge)));
        }

        return final;
    }

    private static UserStore RfcUsers()
    {
        var users = UserStore.InMemory();
        users.SetCredential("user", ScramCredential.FromPassword(ScramMechanism.Sha256, "pencil", Convert.FromBase64String(RfcSalt), 4096));
        return users;
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
