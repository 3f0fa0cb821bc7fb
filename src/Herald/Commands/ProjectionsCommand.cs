using System.CommandLine;
using System.Text.Json;
using Herald.Cli.Access;
using Herald.EventSourcing;

namespace Herald.Cli.Commands;

/// <summary>
/// <c>herald projections</c>: the status and lag each projection last reported, and rebuild requests, which the
/// application that runs the projection picks up within a second (or at its next start).
/// </summary>
internal static class ProjectionsCommand
{
    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var projections = new Command("projections", "Show projections' status and lag, and rebuild them (--store DIR, or --postgres CONNECTION).");
        EventStoreAccess.AddTo(projections);
        var name = new Argument<string>("name") { Description = "The projection's name." };

        var list = new Command("list", "Every projection's phase, generation, checkpoint and lag, as last reported.");
        list.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            var statuses = await ReadAsync(parse, cancellationToken);
            if (context.Json)
            {
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(statuses, ProjectionStatusJson.Options));
                return ExitCodes.Success;
            }

            await context.Output.WriteLineAsync("NAME\tVERSION\tPHASE\tGENERATION\tCHECKPOINT\tLAG (EVENTS)\tLAG (S)\tREPORTED");
            foreach (var s in statuses)
            {
                await context.Output.WriteLineAsync($"{s.Name}\t{s.Version}\t{s.Phase}\t{s.Generation?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}\t{s.Checkpoint}\t{s.LagEvents}\t{s.LagSeconds:0.###}\t{s.Updated:O}");
            }

            return ExitCodes.Success;
        });

        var status = new Command("status", "One projection's status, as last reported.") { name };
        status.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            var wanted = parse.GetValue(name)!;
            var found = (await ReadAsync(parse, cancellationToken)).FirstOrDefault(s => s.Name == wanted) ?? throw NotFound(wanted);
            if (context.Json)
            {
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(found, ProjectionStatusJson.Options));
                return ExitCodes.Success;
            }

            await context.Output.WriteLineAsync($"Projection {found.Name} v{found.Version}: {found.Phase}, reported {found.Updated:O}");
            await context.Output.WriteLineAsync($"  served generation {found.Generation?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none yet"}, checkpoint {found.Checkpoint}, lag {found.LagEvents} events / {found.LagSeconds:0.###} s");
            if (found.RebuildGeneration is { } building)
            {
                await context.Output.WriteLineAsync($"  building generation {building}, at position {found.RebuildCheckpoint}");
            }

            if (found.Skipped > 0)
            {
                await context.Output.WriteLineAsync($"  passed over {found.Skipped} events of unregistered types");
            }

            if (found.Error is { } error)
            {
                await context.Output.WriteLineAsync($"  error: {error}");
            }

            return ExitCodes.Success;
        });

        var rebuild = new Command("rebuild", "Ask for a projection to be built again from position 0, beside the served one, which it replaces once caught up.") { name };
        rebuild.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            var wanted = parse.GetValue(name)!;
            var (control, store) = await EventStoreAccess.OpenControlAsync(parse, cancellationToken);
            await using (store)
            {
                if (!(await control.ReadStatusesAsync(cancellationToken)).Any(s => s.Name == wanted))
                {
                    throw NotFound(wanted);
                }

                await control.RequestRebuildAsync(wanted, cancellationToken);
            }

            await context.Output.WriteLineAsync($"Asked for projection '{wanted}' to be rebuilt; the application running it starts within a second. Follow it with 'herald projections status {wanted}'.");
            return ExitCodes.Success;
        });

        projections.Subcommands.Add(list);
        projections.Subcommands.Add(status);
        projections.Subcommands.Add(rebuild);
        return projections;
    }

    private static async Task<IReadOnlyList<ProjectionStatus>> ReadAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var (control, store) = await EventStoreAccess.OpenControlAsync(parse, cancellationToken);
        await using (store)
        {
            return await control.ReadStatusesAsync(cancellationToken);
        }
    }

    private static CliException NotFound(string name) =>
        new($"No projection named '{name}' has reported a status here. 'herald projections list' shows those that have.");
}
