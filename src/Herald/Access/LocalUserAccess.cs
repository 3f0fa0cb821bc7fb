using Herald.Security;
using Herald.Storage;

namespace Herald.Cli.Access;

/// <summary>The users file in the data directory, held with the directory's lock so no server changes it meanwhile.</summary>
internal sealed class LocalUserAccess : IUserAccess
{
    private readonly DataDirectoryLock _lock;
    private readonly UserStore _users;

    private LocalUserAccess(DataDirectoryLock held, UserStore users)
    {
        _lock = held;
        _users = users;
    }

    public static LocalUserAccess Open(string dataDirectory)
    {
        var held = DataDirectoryLock.Acquire(dataDirectory);
        try
        {
            return new LocalUserAccess(held, UserStore.Open(Server.SecurityOptions.DefaultUsersDirectory(dataDirectory)));
        }
        catch (InvalidDataException exception)
        {
            held.Dispose();
            throw new CliException(exception.Message);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    public Task<IReadOnlyList<UserCredentials>> ListAsync(CancellationToken cancellationToken) => Task.FromResult(_users.List());

    public Task SetPasswordAsync(string user, string password, IReadOnlyList<ScramMechanism> mechanisms, int iterations, CancellationToken cancellationToken)
    {
        foreach (var mechanism in mechanisms)
        {
            _users.SetCredential(user, ScramCredential.FromPassword(mechanism, password, iterations));
        }

        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(string user, IReadOnlyList<ScramMechanism> mechanisms, CancellationToken cancellationToken)
    {
        var deleted = false;
        foreach (var mechanism in mechanisms)
        {
            deleted |= _users.DeleteCredential(user, mechanism);
        }

        return Task.FromResult(deleted);
    }

    public ValueTask DisposeAsync()
    {
        _lock.Dispose();
        return ValueTask.CompletedTask;
    }
}
