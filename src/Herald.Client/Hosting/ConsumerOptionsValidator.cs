using Herald.Broker;
using Microsoft.Extensions.Options;

namespace Herald.Client;

/// <summary>Checks each consumer's <see cref="ConsumerOptions"/>, named <c>topic/group</c>.</summary>
internal sealed class ConsumerOptionsValidator : IValidateOptions<ConsumerOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsumerOptions options)
    {
        var failures = OptionsChecks.Attributes(options);
        failures.AddRange(OptionsChecks.Attributes(options.CircuitBreaker, "CircuitBreaker: "));
        if (name is not null && name != $"{options.Topic}/{options.Group}")
        {
            failures.Add($"Topic and Group are set by AddConsumer (here '{name}'); configuration may not change them.");
        }

        Positive(failures, options.CommitInterval, nameof(options.CommitInterval));
        Positive(failures, options.PollTimeout, nameof(options.PollTimeout));
        Positive(failures, options.LagInterval, nameof(options.LagInterval));
        Positive(failures, options.HeldKeysRefresh, nameof(options.HeldKeysRefresh));
        NotNegative(failures, options.DrainTimeout, nameof(options.DrainTimeout));
        NotNegative(failures, options.RetryDelay, nameof(options.RetryDelay));
        if (options.MaxRetryDelay < options.RetryDelay)
        {
            failures.Add($"MaxRetryDelay ({options.MaxRetryDelay}) must be at least RetryDelay ({options.RetryDelay}).");
        }

        if (options.DeadLetterTopic is { } topic && TopicName.Validate(topic) is { } problem)
        {
            failures.Add($"DeadLetterTopic: {problem}");
        }

        if (options.DelayedRetries.Count > 20 || options.DelayedRetries.Any(d => d <= TimeSpan.Zero))
        {
            failures.Add($"DelayedRetries must be at most 20 delays, each above zero; got {options.DelayedRetries.Count}.");
        }

        var breaker = options.CircuitBreaker;
        if (breaker.BreakDuration < TimeSpan.FromMilliseconds(500) || breaker.SamplingDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add($"CircuitBreaker: BreakDuration ({breaker.BreakDuration}) and SamplingDuration ({breaker.SamplingDuration}) must be at least 500 ms.");
        }

        return OptionsChecks.Result(failures);
    }

    private static void Positive(List<string> failures, TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{name} must be above zero, got {value}.");
        }
    }

    private static void NotNegative(List<string> failures, TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero)
        {
            failures.Add($"{name} must not be negative, got {value}.");
        }
    }
}
