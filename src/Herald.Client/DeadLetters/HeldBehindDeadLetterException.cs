namespace Herald.Client;

/// <summary>An event parked because an earlier event with its key is dead-lettered (see <see cref="ConsumerOptions.HoldKeysBehindDeadLetters"/>).</summary>
public sealed class HeldBehindDeadLetterException(string key)
    : Exception($"An earlier event with key '{key}' is dead-lettered; this one waits behind it until it is redriven or purged.")
{
    /// <summary>The key held.</summary>
    public string Key { get; } = key;
}
