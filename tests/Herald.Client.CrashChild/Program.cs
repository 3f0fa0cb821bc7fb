using System.Globalization;
using System.Text;
using Herald.Client;
using Herald.Client.CrashChild;
using Microsoft.Extensions.Hosting;

// Consumes Numbered events from "crash" as group "printer" on the embedded broker in the given data directory, printing
// "H sequence" once each handler has finished, until killed. Offsets are never committed before the kill (the commit
// interval is an hour), so after a SIGKILL only the processed-id store keeps handled events from being handled again.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Herald.Client.CrashChild <data directory>");
    return 2;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Services.AddHerald(herald => herald.UseEmbedded(args[0]).MapTopic<Numbered>(Numbered.Topic))
    .AddConsumer<Printer>(Numbered.Topic, Numbered.Group, consumer =>
    {
        consumer.CommitInterval = TimeSpan.FromHours(1);
        consumer.MaxConcurrency = 4;
    });
await builder.Build().RunAsync();
return 0;

namespace Herald.Client.CrashChild
{
    [EventType("Numbered")]
    public sealed record Numbered([property: EventKey] string Key, int Sequence)
    {
        public const string Topic = "crash";
        public const string Group = "printer";
    }

    public sealed class Printer : IEventHandler<Numbered>
    {
        private static readonly Stream Output = Console.OpenStandardOutput();
        private static readonly Lock Writing = new();

        public async Task HandleAsync(Numbered @event, EventContext context, CancellationToken cancellationToken)
        {
            await Task.Delay(1, cancellationToken); // a little work, so the kill lands among events in flight
            var line = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"H {@event.Sequence}\n"));
            lock (Writing)
            {
                Output.Write(line);
                Output.Flush();
            }
        }
    }
}
