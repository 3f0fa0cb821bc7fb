using Herald.Storage;
using Microsoft.Extensions.Logging;

namespace Herald.Broker.Internal;

/// <summary>
/// Applies retention to every partition every <see cref="BrokerOptions.RetentionCheckInterval"/> (Kafka's
/// log.retention.check.interval.ms), and on demand. A failure is logged and tried again next time.
/// </summary>
internal sealed class RetentionSchedule : IDisposable
{
    private readonly Func<IEnumerable<Topic>> _topics;
    private readonly ILogger _logger;
    private readonly ITimer _timer;

    public RetentionSchedule(TimeProvider time, TimeSpan interval, Func<IEnumerable<Topic>> topics, ILogger logger)
    {
        _topics = topics;
        _logger = logger;
        _timer = time.CreateTimer(static state => ((RetentionSchedule)state!).ApplySafely(), this, interval, interval);
    }

    /// <summary>Applies retention now; returns the number of segments deleted.</summary>
    public int ApplyNow()
    {
        var deleted = 0;
        foreach (var topic in _topics())
        {
            foreach (var partition in topic.Partitions)
            {
                deleted += partition.Log.ApplyRetention();
            }
        }

        return deleted;
    }

    public void Dispose() => _timer.Dispose();

    private void ApplySafely()
    {
        try
        {
            ApplyNow();
        }
        catch (ObjectDisposedException)
        {
            // The broker closed while the timer fired.
        }
        catch (Exception exception) when (exception is IOException or CorruptLogException)
        {
            Log.RetentionFailed(_logger, exception);
        }
    }
}
