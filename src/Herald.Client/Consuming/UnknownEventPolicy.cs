namespace Herald.Client;

/// <summary>Events of types a consumer does not handle.</summary>
public enum UnknownEventPolicy
{
    /// <summary>Skip them (counted and logged at debug): topics often carry events a given consumer ignores.</summary>
    Skip,

    /// <summary>Move them to the dead-letter topic.</summary>
    DeadLetter,
}
