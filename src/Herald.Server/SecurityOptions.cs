namespace Herald.Server;

/// <summary>Where the server keeps its users, and the first administrator it creates.</summary>
public sealed record SecurityOptions
{
    /// <summary>The defaults: users in the data directory, no first administrator.</summary>
    public static SecurityOptions Default { get; } = new();

    /// <summary>
    /// The directory of <c>users.json</c>. Defaults to null: <c>__security</c> in the broker's data directory, or in
    /// memory for an in-memory broker.
    /// </summary>
    public string? UsersDirectory { get; init; }

    /// <summary>Where the users are kept in a data directory unless <see cref="UsersDirectory"/> says otherwise.</summary>
    public static string DefaultUsersDirectory(string dataDirectory) => Path.Combine(dataDirectory, "__security");

    /// <summary>The name of the first administrator. Defaults to <c>admin</c>.</summary>
    public string AdminUser { get; init; } = "admin";

    /// <summary>
    /// The first administrator's password: when set and no user exists yet, <see cref="AdminUser"/> is created with it
    /// at start (<c>HERALD_ADMIN_PASSWORD</c> for <c>herald serve</c>). Never logged. Defaults to null.
    /// </summary>
    public string? AdminPassword { get; init; }

    /// <summary>
    /// Principals that may do everything, as Kafka's <c>super.users</c>, written <c>User:name</c>. The first
    /// administrator is always one. Defaults to none besides it.
    /// </summary>
    public IReadOnlyList<string> SuperUsers { get; init; } = [];

    /// <summary>The super users as principals: <see cref="SuperUsers"/> and the first administrator.</summary>
    public IEnumerable<Herald.Security.Principal> SuperUserPrincipals() =>
        SuperUsers.Select(text => Herald.Security.Principal.TryParse(text, out var principal) ? principal : throw new ArgumentException($"A super user is written User:name, got '{text}'."))
            .Append(Herald.Security.Principal.User(AdminUser));

    /// <summary>Checks the settings once, at start.</summary>
    public void Validate()
    {
        Herald.Security.UserStore.CheckUserName(AdminUser);
        _ = SuperUserPrincipals().ToList();
        if (AdminPassword is { Length: 0 })
        {
            throw new ArgumentException("The first administrator's password must not be empty.");
        }
    }
}
