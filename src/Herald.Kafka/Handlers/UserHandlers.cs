using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;
using Herald.Security;

namespace Herald.Kafka.Handlers;

/// <summary>
/// DescribeUserScramCredentials and AlterUserScramCredentials (KIP-554), so Kafka's tools and Confluent.Kafka's admin
/// client manage Herald's users. Salted passwords arrive already derived: no password crosses the wire.
/// </summary>
internal sealed class UserHandlers(ListenerSecurity security)
{
    public DescribeUserScramCredentialsResponse Describe(RequestContext context, DescribeUserScramCredentialsRequest request)
    {
        if (Refusal(context, "describe users") is { } refused)
        {
            // Confluent.Kafka 2.16 crashes the client process on a top-level error here, so the refusal goes in one result
            // for each user asked about, or in one without a name when all were: it says nothing of who exists.
            var asked = request.Users is { Count: > 0 } named ? named.Select(u => u.Name).Distinct(StringComparer.Ordinal) : [""];
            return new DescribeUserScramCredentialsResponse
            {
                ErrorMessage = null,
                Results = [.. asked.Select(name => Error(name, refused.Code, refused.Message))],
            };
        }

        var users = security.Users!;
        if (request.Users is null or { Count: 0 }) // null or empty: every user, as Kafka reads it
        {
            return new DescribeUserScramCredentialsResponse { Results = [.. users.List().Select(Result)] };
        }

        var names = request.Users.Select(u => u.Name).ToList();
        var duplicates = names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return new DescribeUserScramCredentialsResponse
        {
            Results = [.. names.Distinct(StringComparer.Ordinal).Select(name => duplicates.Contains(name)
                ? Error(name, ErrorCode.DuplicateResource, "The user was named more than once.")
                : users.Describe(name) is { } user ? Result(user) : Error(name, ErrorCode.ResourceNotFound, "Attempt to describe a user credential that does not exist."))],
        };
    }

    public AlterUserScramCredentialsResponse Alter(RequestContext context, AlterUserScramCredentialsRequest request)
    {
        var affected = request.Deletions.Select(d => d.Name).Concat(request.Upsertions.Select(u => u.Name)).Distinct(StringComparer.Ordinal).ToList();
        if (Refusal(context, "alter users") is { } refused)
        {
            return new AlterUserScramCredentialsResponse { Results = [.. affected.Select(name => Altered(name, refused.Code, refused.Message))] };
        }

        // Kafka refuses a user named twice, in either list, as a whole: which change was meant is unclear.
        var named = request.Deletions.Select(d => (d.Name, d.Mechanism)).Concat(request.Upsertions.Select(u => (u.Name, u.Mechanism)));
        var duplicates = named.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key.Name).ToHashSet(StringComparer.Ordinal);
        var results = new Dictionary<string, AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult>(StringComparer.Ordinal);
        var users = security.Users!;
        foreach (var deletion in request.Deletions.Where(d => !duplicates.Contains(d.Name)))
        {
            var mechanism = ScramMechanism.Find(deletion.Mechanism);
            var outcome = mechanism is null
                ? (ErrorCode.UnsupportedSaslMechanism, "Unknown SCRAM mechanism.")
                : users.DeleteCredential(deletion.Name, mechanism)
                    ? (ErrorCode.None, (string?)null)
                    : (ErrorCode.ResourceNotFound, "Attempt to delete a user credential that does not exist.");
            Record(context, results, deletion.Name, $"delete {mechanism?.Name ?? "an unknown mechanism"} credential of user '{deletion.Name}'", outcome);
        }

        foreach (var upsertion in request.Upsertions.Where(u => !duplicates.Contains(u.Name)))
        {
            var mechanism = ScramMechanism.Find(upsertion.Mechanism);
            Record(context, results, upsertion.Name, $"set {mechanism?.Name ?? "an unknown mechanism"} credential of user '{upsertion.Name}'", Upsert(users, mechanism, upsertion));
        }

        foreach (var name in duplicates)
        {
            results[name] = Altered(name, ErrorCode.DuplicateResource, "A user credential cannot be altered more than once in the same request.");
        }

        return new AlterUserScramCredentialsResponse { Results = [.. affected.Select(name => results[name])] };
    }

    private static (ErrorCode Code, string? Message) Upsert(UserStore users, ScramMechanism? mechanism, AlterUserScramCredentialsRequest.ScramCredentialUpsertion upsertion)
    {
        if (mechanism is null)
        {
            return (ErrorCode.UnsupportedSaslMechanism, "Unknown SCRAM mechanism.");
        }

        try
        {
            users.SetCredential(upsertion.Name, ScramCredential.FromSaltedPassword(mechanism, upsertion.Salt, upsertion.SaltedPassword, upsertion.Iterations));
            return (ErrorCode.None, null);
        }
        catch (ArgumentException exception)
        {
            return (ErrorCode.UnacceptableCredential, exception.Message);
        }
    }

    private void Record(RequestContext context, Dictionary<string, AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult> results, string name, string change, (ErrorCode Code, string? Message) outcome)
    {
        security.AuditChange(context.Session, change, outcome.Code == ErrorCode.None ? "done" : $"{outcome.Code}: {outcome.Message}");
        if (!results.TryGetValue(name, out var existing) || existing.ErrorCode == 0)
        {
            results[name] = Altered(name, outcome.Code, outcome.Message);
        }
    }

    private (ErrorCode Code, string Message)? Refusal(RequestContext context, string operation)
    {
        if (security.Users is null)
        {
            return (ErrorCode.SecurityDisabled, "This listener has no users to administer.");
        }

        if (!security.MayAdministerUsers(context.Session.Principal))
        {
            security.AuditDenial(context.Session, operation);
            return (ErrorCode.ClusterAuthorizationFailed, $"{context.Session.Principal} may not {operation}: only super users may.");
        }

        return null;
    }

    private static DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult Result(UserCredentials user) => new()
    {
        User = user.User,
        ErrorMessage = null,
        CredentialInfos = [.. user.Credentials.Select(c => new DescribeUserScramCredentialsResponse.CredentialInfo { Mechanism = c.Mechanism.KafkaType, Iterations = c.Iterations })],
    };

    private static DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult Error(string user, ErrorCode code, string message) =>
        new() { User = user, ErrorCode = (short)code, ErrorMessage = message };

    private static AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult Altered(string user, ErrorCode code, string? message) =>
        new() { User = user, ErrorCode = (short)code, ErrorMessage = message };
}
