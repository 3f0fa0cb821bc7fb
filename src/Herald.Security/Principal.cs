namespace Herald.Security;

/// <summary>
/// Who a client is, as Kafka writes it: a type and a name, <c>User:alice</c>. A client that did not authenticate is
/// <see cref="Anonymous"/>.
/// </summary>
/// <param name="Type">The principal type; Herald's are all <c>User</c>.</param>
/// <param name="Name">The user's name, or the subject of a client certificate.</param>
public readonly record struct Principal(string Type, string Name)
{
    /// <summary>The principal type of users.</summary>
    public const string UserType = "User";

    /// <summary>Any client that did not authenticate, as Kafka names it.</summary>
    public static Principal Anonymous { get; } = User("ANONYMOUS");

    /// <summary>The user principal <c>User:<paramref name="name"/></c>.</summary>
    public static Principal User(string name) => new(UserType, name);

    /// <summary>Reads <c>Type:Name</c>; the name may contain colons.</summary>
    public static bool TryParse(string text, out Principal principal)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        principal = colon > 0 && colon < text.Length - 1 ? new Principal(text[..colon], text[(colon + 1)..]) : default;
        return colon > 0 && colon < text.Length - 1;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type}:{Name}";
}
