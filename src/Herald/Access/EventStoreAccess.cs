using System.CommandLine;
using Herald.EventSourcing;
using Herald.Storage;

namespace Herald.Cli.Access;

/// <summary>The event store a <c>streams</c> or <c>projections</c> command works on: the embedded one in a directory, or PostgreSQL.</summary>
internal static class EventStoreAccess
{
    public static readonly Option<string> Store = new("--store")
    {
        Description = "The embedded event store's directory (the application's UseEmbedded directory).",
        DefaultValueFactory = _ => new EmbeddedEventStoreOptions().Directory,
        Recursive = true,
    };

    public static readonly Option<string?> Postgres = new("--postgres")
    {
        Description = "A PostgreSQL connection string: use the PostgreSQL event store instead of --store. Defaults to $HERALD_POSTGRES.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HERALD_POSTGRES"),
        Recursive = true,
    };

    public static readonly Option<string> Schema = new("--schema")
    {
        Description = "The PostgreSQL schema of the event store.",
        DefaultValueFactory = _ => new PostgresEventStoreOptions().Schema,
        Recursive = true,
    };

    public static readonly Option<string?> ProjectionDirectory = new("--projections")
    {
        Description = "Where the embedded store's projections keep their files. Defaults to 'projections' in --store.",
        Recursive = true,
    };

    public static void AddTo(Command command)
    {
        command.Options.Add(Store);
        command.Options.Add(Postgres);
        command.Options.Add(Schema);
        command.Options.Add(ProjectionDirectory);
    }

    /// <summary>Opens the store; an embedded one must exist unless <paramref name="create"/> (an append starts a new store).</summary>
    public static async Task<IEventStore> OpenAsync(ParseResult parse, CancellationToken cancellationToken, bool create = false)
    {
        if (parse.GetValue(Postgres) is { Length: > 0 } connectionString)
        {
            try
            {
                return await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = parse.GetValue(Schema)! }, cancellationToken);
            }
            catch (ArgumentException exception)
            {
                throw CliException.Usage($"--postgres: {exception.Message}");
            }
        }

        var directory = parse.GetValue(Store)!;
        if (!create && !Directory.Exists(directory))
        {
            throw new CliException($"No event store at '{directory}'. Give the application's store directory with --store, or a PostgreSQL store with --postgres.");
        }

        try
        {
            return EmbeddedEventStore.Open(new EmbeddedEventStoreOptions { Directory = directory });
        }
        catch (DataDirectoryLockedException locked)
        {
            throw new CliException($"{locked.Message} The embedded store belongs to one process at a time: stop the application first, or keep the store in PostgreSQL to share it.");
        }
    }

    /// <summary>
    /// Where projection statuses and rebuild requests are: the PostgreSQL store's tables, or files in the embedded
    /// store's projection directory (read and written while the application runs, without opening its store).
    /// </summary>
    public static async Task<(IProjectionControl Control, IAsyncDisposable? Store)> OpenControlAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (parse.GetValue(Postgres) is { Length: > 0 })
        {
            var store = await OpenAsync(parse, cancellationToken);
            return (IProjectionControl.For(store, ""), store);
        }

        return (new FileProjectionControl(parse.GetValue(ProjectionDirectory) ?? Path.Combine(parse.GetValue(Store)!, "projections")), null);
    }
}
