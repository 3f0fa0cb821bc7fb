namespace Herald.Broker;

/// <summary>Kafka's rules for topic names.</summary>
public static class TopicName
{
    /// <summary>The longest legal name, as in Kafka (partition directories append "-NNN" within a 255-byte file name).</summary>
    public const int MaxLength = 249;

    /// <summary>Why <paramref name="name"/> is not a legal topic name, or null when it is.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Topic name is empty.";
        }

        if (name is "." or "..")
        {
            return $"Topic name cannot be '{name}'.";
        }

        if (name.Length > MaxLength)
        {
            return $"Topic name is {name.Length} characters long; the limit is {MaxLength}.";
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return $"Topic name '{name}' contains '{c}'; only ASCII letters, digits, '.', '_' and '-' are allowed.";
            }
        }

        return null;
    }

    /// <summary>
    /// Whether two names would collide in metric names, where Kafka treats '.' and '_' alike, so Kafka refuses to create
    /// one when the other exists.
    /// </summary>
    public static bool Collide(string a, string b) =>
        !string.Equals(a, b, StringComparison.Ordinal)
        && string.Equals(a.Replace('.', '_'), b.Replace('.', '_'), StringComparison.Ordinal);
}
