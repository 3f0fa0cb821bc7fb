using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Herald.Security;
using ScramMechanism = Herald.Security.ScramMechanism;

namespace Herald.Cli.Access;

/// <summary>
/// The users of a running server, through Kafka's DescribeUserScramCredentials and AlterUserScramCredentials: the
/// client derives the salted password, so the password itself never leaves this process.
/// </summary>
internal sealed class RemoteUserAccess : IUserAccess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly RemoteServer _server;
    private readonly ConnectionLoss _loss;
    private readonly IAdminClient _admin;

    public RemoteUserAccess(RemoteServer server)
    {
        _server = server;
        _loss = new ConnectionLoss(server.BootstrapServers);
        _admin = new AdminClientBuilder(server.Configure(new AdminClientConfig())).SetLogHandler(static (_, _) => { }).SetErrorHandler((_, error) => _loss.Report(error)).Build();
    }

    public async Task<IReadOnlyList<UserCredentials>> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            var described = await _loss.WhileConnectedAsync(_admin.DescribeUserScramCredentialsAsync([], new DescribeUserScramCredentialsOptions { RequestTimeout = Timeout }), cancellationToken);
            return [.. described.UserScramCredentialsDescriptions.Select(Describe).OrderBy(u => u.User, StringComparer.Ordinal)];
        }
        catch (DescribeUserScramCredentialsException failed)
        {
            throw new CliException(string.Join("; ", failed.Results.UserScramCredentialsDescriptions.Where(d => d.Error.IsError).Select(d => d.User.Length == 0 ? d.Error.Reason : $"{d.User}: {d.Error.Reason}").DefaultIfEmpty(failed.Message)));
        }
        catch (KafkaException failed)
        {
            throw new CliException($"The server at {_server.BootstrapServers} could not list users: {failed.Error.Reason}");
        }
    }

    public Task SetPasswordAsync(string user, string password, IReadOnlyList<ScramMechanism> mechanisms, int iterations, CancellationToken cancellationToken) =>
        AlterAsync([.. mechanisms.Select(m => (UserScramCredentialAlteration)new UserScramCredentialUpsertion
        {
            User = user,
            Password = Encoding.UTF8.GetBytes(password),
            ScramCredentialInfo = new ScramCredentialInfo { Mechanism = Mechanism(m), Iterations = iterations },
        })], cancellationToken);

    public async Task<bool> DeleteAsync(string user, IReadOnlyList<ScramMechanism> mechanisms, CancellationToken cancellationToken)
    {
        var existing = (await ListAsync(cancellationToken)).FirstOrDefault(u => u.User == user)?.Credentials.Select(c => c.Mechanism).ToHashSet() ?? [];
        var deletions = mechanisms.Where(existing.Contains).Select(m => (UserScramCredentialAlteration)new UserScramCredentialDeletion { User = user, Mechanism = Mechanism(m) }).ToList();
        if (deletions.Count == 0)
        {
            return false;
        }

        await AlterAsync(deletions, cancellationToken);
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _admin.Dispose();
        _loss.Dispose();
        return ValueTask.CompletedTask;
    }


    private async Task AlterAsync(List<UserScramCredentialAlteration> alterations, CancellationToken cancellationToken)
    {
        try
        {
            await _loss.WhileConnectedAsync(_admin.AlterUserScramCredentialsAsync(alterations, new AlterUserScramCredentialsOptions { RequestTimeout = Timeout }), cancellationToken);
        }
        catch (AlterUserScramCredentialsException failed)
        {
            throw new CliException(string.Join("; ", failed.Results.Where(r => r.Error.IsError).Select(r => $"{r.User}: {r.Error.Reason}")));
        }
        catch (KafkaException failed)
        {
            throw new CliException($"The server at {_server.BootstrapServers} could not change users: {failed.Error.Reason}");
        }
    }

    private static UserCredentials Describe(UserScramCredentialsDescription user) =>
        new(user.User, [.. user.ScramCredentialInfos
            .Select(c => (Mechanism: c.Mechanism == Confluent.Kafka.Admin.ScramMechanism.ScramSha512 ? ScramMechanism.Sha512 : ScramMechanism.Sha256, c.Iterations))
            .OrderByDescending(c => c.Mechanism.HashBytes)
            .Select(c => new CredentialInfo(c.Mechanism, c.Iterations))]);

    private static Confluent.Kafka.Admin.ScramMechanism Mechanism(ScramMechanism mechanism) =>
        mechanism == ScramMechanism.Sha512 ? Confluent.Kafka.Admin.ScramMechanism.ScramSha512 : Confluent.Kafka.Admin.ScramMechanism.ScramSha256;
}
