using Herald.Security;

namespace Herald.Cli.Access;

/// <summary>Herald's users, in the data directory or on a running server (over KIP-554's APIs).</summary>
internal interface IUserAccess : IAsyncDisposable
{
    Task<IReadOnlyList<UserCredentials>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Sets the password's credentials for the mechanisms, adding the user when new.</summary>
    Task SetPasswordAsync(string user, string password, IReadOnlyList<ScramMechanism> mechanisms, int iterations, CancellationToken cancellationToken);

    /// <summary>Deletes the user's credentials for the mechanisms; false when it had none of them.</summary>
    Task<bool> DeleteAsync(string user, IReadOnlyList<ScramMechanism> mechanisms, CancellationToken cancellationToken);
}
