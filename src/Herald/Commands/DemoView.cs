using System.Globalization;
using Herald.Client;
using Shop.Demo;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Herald.Cli.Commands;

/// <summary>
/// What <c>herald demo</c> shows: a live Spectre.Console summary in a terminal, a progress line on stderr otherwise,
/// and a final summary unless the report is printed as JSON.
/// </summary>
internal sealed class DemoView(CliContext context, DemoOptions options, string run, Uri? console)
{
    private DemoSnapshot? _latest;

    private bool Live => !context.Json && ReferenceEquals(context.Output, Console.Out) && !Console.IsOutputRedirected;

    public void Starting()
    {
        if (!context.Json)
        {
            context.Output.WriteLine($"Starting the shop in {Path.GetFullPath(run)}");
            context.Output.WriteLine(console is null
                ? options.Broker is null ? "Watch it in the console of the server given with --server." : "The console is off (--http none)."
                : $"Watch it in the console: {console}");
        }
    }

    public async Task<DemoReport> RunAsync(ShopDemo demo, CancellationToken cancellationToken)
    {
        var progress = new Progress<DemoSnapshot>(snapshot => Volatile.Write(ref _latest, snapshot));
        var running = demo.RunAsync(progress, cancellationToken);
        if (Live)
        {
            await AnsiConsole.Live(new Text("The shop is starting…")).AutoClear(false).StartAsync(async live =>
            {
                while (!running.IsCompleted)
                {
                    if (Volatile.Read(ref _latest) is { } snapshot)
                    {
                        live.UpdateTarget(Render(snapshot));
                    }

                    await Task.WhenAny(running, Task.Delay(500, CancellationToken.None));
                }

                live.UpdateTarget(Render((await running).Final));
            });
        }
        else
        {
            while (!running.IsCompleted)
            {
                await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
                if (!running.IsCompleted && Volatile.Read(ref _latest) is { } snapshot)
                {
                    context.Error.WriteLine(ProgressLine(snapshot));
                }
            }
        }

        var report = await running;
        if (!context.Json)
        {
            if (!Live)
            {
                WriteSummary(report);
            }

            context.Output.WriteLine(report.Passed ? "Every invariant held." : "An invariant did not hold: see above.");
            foreach (var skipped in report.Skipped)
            {
                context.Output.WriteLine($"Not shown: {skipped}.");
            }
        }

        return report;
    }

    private static string ProgressLine(DemoSnapshot s) => string.Create(
        CultureInfo.InvariantCulture,
        $"[{s.Elapsed:mm\\:ss}] {s.Phase}: {s.OrdersPlaced} orders ({s.OrdersPerSecond:0.0}/s), lag {s.Consumers.Sum(c => c.Lag)}, {s.Retries} retries, {s.DeadLettered} dead letters, {s.Redriven} redriven, breaker {s.InventoryBreaker}, invariants {s.Invariants.Count(i => i.State == InvariantState.Holds)}/{s.Invariants.Count} hold");

    private void WriteSummary(DemoReport report)
    {
        var s = report.Final;
        context.Output.WriteLine(ProgressLine(s));
        foreach (var step in s.Steps)
        {
            context.Output.WriteLine($"  {step.At:mm\\:ss}  {step.What}");
        }

        foreach (var invariant in s.Invariants)
        {
            context.Output.WriteLine($"  {Mark(invariant.State)} {invariant.Name}: {invariant.Detail}");
        }
    }

    private IRenderable Render(DemoSnapshot s)
    {
        var title = string.Create(CultureInfo.InvariantCulture, $"[bold]Herald demo: the shop[/]  seed {options.Seed} · {options.Rate:0.#} orders/s · {s.Elapsed:mm\\:ss} of {options.Duration:mm\\:ss} · [yellow]{s.Phase}[/]");
        var flow = new Table().Border(TableBorder.Rounded).Title("Flow").AddColumns("", "");
        flow.HideHeaders();
        flow.AddRow("Orders placed", string.Create(CultureInfo.InvariantCulture, $"{s.OrdersPlaced} ({s.OrdersPerSecond:0.0}/s)"));
        flow.AddRow("Customers", s.Users.ToString(CultureInfo.InvariantCulture));
        flow.AddRow("Retries", s.Retries.ToString(CultureInfo.InvariantCulture));
        flow.AddRow("Dead letters / redriven", $"{s.DeadLettered} / {s.Redriven}");
        flow.AddRow("Duplicates sent / skipped", $"{s.FaultsStruck.GetValueOrDefault(Shop.Common.FaultLog.DuplicatePublished)} / {s.DuplicatesSkipped}");
        flow.AddRow("Events sent late", $"{s.FaultsStruck.GetValueOrDefault(Shop.Common.FaultLog.PublishedLate)}");
        flow.AddRow("SMTP failures", $"{s.FaultsStruck.GetValueOrDefault(Shop.Common.FaultLog.SmtpFailed)}");
        flow.AddRow("Inventory's breaker", s.InventoryBreaker switch
        {
            BreakerState.Open => "[red]open[/]",
            BreakerState.HalfOpen => "[yellow]half-open[/]",
            _ => "[green]closed[/]",
        } + $" (opened {s.BreakerOpenings}×)");

        var lag = new Table().Border(TableBorder.Rounded).Title("Consumer lag").AddColumns("Consumer", "Topic", "Lag");
        foreach (var consumer in s.Consumers)
        {
            var color = consumer.Lag > 100 ? "red" : consumer.Lag > 0 ? "yellow" : "green";
            lag.AddRow(consumer.Service, consumer.Topic, $"[{color}]{consumer.Lag}[/]");
        }

        var invariants = new Table().Border(TableBorder.Rounded).Title("Invariants").AddColumns("", "Rule", "Now");
        foreach (var invariant in s.Invariants)
        {
            invariants.AddRow(Mark(invariant.State) switch { "✓" => "[green]✓[/]", "…" => "[yellow]…[/]", var m => $"[red]{m}[/]" }, Markup.Escape(invariant.Rule), Markup.Escape(invariant.Detail));
        }

        var steps = new Table().Border(TableBorder.Rounded).Title("What happened").AddColumns("At", "");
        foreach (var step in s.Phase == "done" ? s.Steps : s.Steps.TakeLast(10))
        {
            steps.AddRow(step.At.ToString("mm\\:ss", CultureInfo.InvariantCulture), Markup.Escape(step.What));
        }

        var link = console is null ? "" : $"Console: [link]{console}[/]   ";
        return new Rows(new Markup(title), new Markup($"{link}Data: {Markup.Escape(Path.GetFullPath(run))}"), new Columns(flow, lag), invariants, steps);
    }

    private static string Mark(InvariantState state) => state switch
    {
        InvariantState.Holds => "✓",
        InvariantState.Pending => "…",
        _ => "✗",
    };
}
