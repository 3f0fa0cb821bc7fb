namespace Herald.Client;

/// <summary>Failure actions by exception type; the most derived matching type wins, and anything else retries then dead-letters.</summary>
public sealed class FailureRules
{
    private readonly List<(Type Exception, FailureAction Action, int? Retries)> _rules = [];

    /// <summary>Handles exceptions of <typeparamref name="TException"/> (and derived types) with <paramref name="action"/>.</summary>
    public FailureRules On<TException>(FailureAction action, int? retries = null)
        where TException : Exception
    {
        _rules.RemoveAll(r => r.Exception == typeof(TException));
        _rules.Add((typeof(TException), action, retries));
        return this;
    }

    internal int MaxRetries => _rules.Max(r => r.Retries) ?? 0;

    internal (FailureAction Action, int? Retries) For(Exception exception)
    {
        (Type Exception, FailureAction Action, int? Retries)? best = null;
        foreach (var rule in _rules)
        {
            if (rule.Exception.IsInstanceOfType(exception) && (best is null || rule.Exception.IsSubclassOf(best.Value.Exception)))
            {
                best = rule;
            }
        }

        return best is { } found ? (found.Action, found.Retries) : (FailureAction.RetryThenDeadLetter, null);
    }
}
