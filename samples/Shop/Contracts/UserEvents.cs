using Herald.Client;

namespace Shop.Contracts;

/// <summary>
/// Event notification: only the id. A consumer that needs the address calls the User service back, so the address is
/// never copied into the log and is always the current one.
/// </summary>
[EventType("UserRegistered")]
public sealed record UserRegistered([property: EventKey] string UserId);
