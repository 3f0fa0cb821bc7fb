using Herald.Kafka;
using Herald.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Internal;

/// <summary>
/// Opens the users once the broker holds the data directory, and creates the first administrator when none exist. A
/// SASL listener with no users at all could admit no one, so the server refuses to start with one.
/// </summary>
internal sealed class UsersService(HeraldServerOptions options, BrokerService broker, ILoggerFactory loggers) : IHostedService
{
    private UserStore? _users;

    /// <summary>The users; <see cref="NotReadyException"/> before they are open.</summary>
    public UserStore Users => Volatile.Read(ref _users) ?? throw new NotReadyException("The users are not open yet.");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = broker.Broker; // the data directory is held by now
        var security = options.Security;
        var users = options.Broker.InMemory && security.UsersDirectory is null
            ? UserStore.InMemory()
            : UserStore.Open(security.UsersDirectory ?? SecurityOptions.DefaultUsersDirectory(options.Broker.DataDirectory));
        if (users.IsEmpty && security.AdminPassword is { } password)
        {
            users.SetPassword(security.AdminUser, password);
            Log.AdministratorCreated(loggers.CreateLogger(KafkaServer.AuditCategory), security.AdminUser);
        }

        if (users.IsEmpty && options.KafkaListeners.FirstOrDefault(l => l.Protocol.UsesSasl()) is { } sasl)
        {
            throw new ArgumentException(
                $"The {sasl.Protocol.KafkaName()} listener on {sasl.Listen} could admit no one: no user exists. " +
                "Set the first administrator's password (HERALD_ADMIN_PASSWORD, or admin-password in herald.json), or add a user with 'herald users add'.");
        }

        Volatile.Write(ref _users, users);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
