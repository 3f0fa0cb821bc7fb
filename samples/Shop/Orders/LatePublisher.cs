using System.Diagnostics;
using Herald.Client;
using Herald.EventSourcing;
using Shop.Common;

namespace Shop.Orders;

/// <summary>
/// The out-of-order fault: holds an event back and publishes it a while later (with its stored id), as a slow network
/// path or a second relay would, so that the order's next events overtake it.
/// </summary>
public sealed class LatePublisher
{
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(1.5);

    private (IEventPublisher Publisher, FaultLog Log)? _services;

    /// <summary>Gives it the application's publisher and fault log, once the application is built.</summary>
    public void Attach(IEventPublisher publisher, FaultLog log) => _services = (publisher, log);

    public object? HoldBack(object integration, RecordedEvent recorded)
    {
        var (publisher, log) = _services ?? throw new InvalidOperationException("The late publisher is not attached yet.");
        log.Count(FaultLog.PublishedLate);
        _ = Task.Run(async () =>
        {
            await Task.Delay(Delay);

            // Still part of the order's trace: the publish's span is a child of the append that stored the event.
            using var late = new Activity("publish late");
            if (recorded.TraceParent is { } parent)
            {
                late.SetParentId(parent);
            }

            late.Start();
            var options = new PublishOptions { Id = recorded.EventId, CorrelationId = recorded.CorrelationId, Key = recorded.StreamId };
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await publisher.PublishAsync(integration, options);
                    return;
                }
                catch (PublishException) when (attempt < 10)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
                }
            }
        });
        return null; // the relay publishes nothing now
    }
}
