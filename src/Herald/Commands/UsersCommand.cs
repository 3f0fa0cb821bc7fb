using System.CommandLine;
using Herald.Cli.Access;
using Herald.Security;

namespace Herald.Cli.Commands;

/// <summary>
/// <c>herald users</c>: the SCRAM users SASL clients authenticate as, in the data directory (with no server running on
/// it) or on a running server with <c>--server</c>, as Kafka's <c>kafka-configs --alter --entity-type users</c>.
/// </summary>
internal static class UsersCommand
{
    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var users = new Command("users", "List, add, delete users and change their passwords (SCRAM-SHA-256 and SCRAM-SHA-512 credentials; PLAIN checks them too).");
        var name = new Argument<string>("user") { Description = "The user's name." };
        var mechanism = new Option<string>("--mechanism")
        {
            Description = "SCRAM-SHA-256, SCRAM-SHA-512, or both.",
            DefaultValueFactory = _ => "both",
        };
        var password = new Option<string?>("--password") { Description = "The password. Visible to other users of this machine in the process list; prefer --password-stdin." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input." };
        var iterations = new Option<int>("--iterations")
        {
            Description = $"PBKDF2 iterations, {ScramCredential.MinIterations} to {ScramCredential.MaxIterations}.",
            DefaultValueFactory = _ => ScramCredential.DefaultIterations,
        };

        var list = new Command("list", "List the users and their credentials' mechanisms and iterations (never their keys).");
        list.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var access = Open(context);
            var all = await access.ListAsync(cancellationToken);
            if (context.Json)
            {
                context.WriteJson([.. all.Select(u => new UserJson(u.User, [.. u.Credentials.Select(c => new CredentialJson(c.Mechanism.Name, c.Iterations))]))], CliJson.Default.UserJsonArray);
                return ExitCodes.Success;
            }

            await context.Output.WriteLineAsync("USER\tMECHANISMS");
            foreach (var user in all)
            {
                await context.Output.WriteLineAsync($"{user.User}\t{string.Join(", ", user.Credentials.Select(c => $"{c.Mechanism.Name} ({c.Iterations} iterations)"))}");
            }

            return ExitCodes.Success;
        });

        var add = new Command("add", "Add a user with a password.") { name, password, passwordStdin, mechanism, iterations };
        add.SetAction((parse, cancellationToken) => SetAsync(contextFor(parse), parse, mustExist: false, cancellationToken));
        var passwd = new Command("passwd", "Change a user's password.") { name, password, passwordStdin, mechanism, iterations };
        passwd.SetAction((parse, cancellationToken) => SetAsync(contextFor(parse), parse, mustExist: true, cancellationToken));

        var delete = new Command("delete", "Delete a user's credentials (by default all of them, and so the user).") { name, mechanism };
        delete.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            var user = parse.GetValue(name)!;
            await using var access = Open(context);
            if (!await access.DeleteAsync(user, Mechanisms(parse.GetValue(mechanism)!), cancellationToken))
            {
                throw new CliException($"User '{user}' has no such credential.");
            }

            await context.Error.WriteLineAsync($"Deleted user '{user}'{(parse.GetValue(mechanism) == "both" ? "" : $"'s {parse.GetValue(mechanism)} credential")}.");
            return ExitCodes.Success;
        });

        users.Subcommands.Add(list);
        users.Subcommands.Add(add);
        users.Subcommands.Add(passwd);
        users.Subcommands.Add(delete);
        return users;

        async Task<int> SetAsync(CliContext context, ParseResult parse, bool mustExist, CancellationToken cancellationToken)
        {
            var user = parse.GetValue(name)!;
            var chosen = Mechanisms(parse.GetValue(mechanism)!);
            var secret = await PasswordAsync(context, parse.GetValue(password), parse.GetValue(passwordStdin));
            var rounds = parse.GetValue(iterations);
            try
            {
                UserStore.CheckUserName(user);
                _ = ScramCredential.FromPassword(chosen[0], secret, rounds); // refuses bad iterations before anything changes
            }
            catch (ArgumentException exception)
            {
                throw CliException.Usage(exception.Message);
            }

            await using var access = Open(context);
            var exists = (await access.ListAsync(cancellationToken)).Any(u => u.User == user);
            if (exists != mustExist)
            {
                throw new CliException(mustExist ? $"User '{user}' does not exist; add it with 'herald users add'." : $"User '{user}' exists already; change its password with 'herald users passwd'.");
            }

            await access.SetPasswordAsync(user, secret, chosen, rounds, cancellationToken);
            await context.Error.WriteLineAsync(mustExist ? $"Changed the password of user '{user}'." : $"Added user '{user}'.");
            return ExitCodes.Success;
        }
    }

    private static IUserAccess Open(CliContext context) =>
        context.RemoteServer is { } server ? new RemoteUserAccess(server) : LocalUserAccess.Open(context.DataDirectory);

    private static List<ScramMechanism> Mechanisms(string text) => text.Equals("both", StringComparison.OrdinalIgnoreCase)
        ? [.. ScramMechanism.All]
        : ScramMechanism.Find(text) is { } one ? [one] : throw CliException.Usage($"--mechanism takes SCRAM-SHA-256, SCRAM-SHA-512 or both; got '{text}'.");

    private static async Task<string> PasswordAsync(CliContext context, string? given, bool fromStdin)
    {
        if (given is not null && fromStdin)
        {
            throw CliException.Usage("Give --password or --password-stdin, not both.");
        }

        var password = fromStdin ? await context.Input.ReadLineAsync() : given;
        return string.IsNullOrEmpty(password)
            ? throw CliException.Usage(fromStdin ? "Standard input held no password." : "Give the password with --password-stdin (or --password).")
            : password;
    }
}

/// <summary>A user as <c>herald users list --output json</c> prints it.</summary>
internal sealed record UserJson(string User, CredentialJson[] Credentials);

/// <summary>One credential of a user: its mechanism and iterations.</summary>
internal sealed record CredentialJson(string Mechanism, int Iterations);
