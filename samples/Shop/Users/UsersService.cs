using System.Collections.Concurrent;
using Herald.Client;
using Shop.Common;
using Shop.Contracts;

namespace Shop.Users;

/// <summary>
/// The User service: registers customers and answers who they are. It publishes UserRegistered with only the id (event
/// notification); whoever needs more calls <c>GET /users/{id}</c>.
/// </summary>
public static class UsersService
{
    public static WebApplication Build(string[] args, ShopSettings? settings = null)
    {
        var (builder, shop) = ShopHost.CreateBuilder("users", args, settings);
        builder.Services.AddHerald(herald => herald.UseShopTransport(shop).MapTopic<UserRegistered>(Topics.Users));
        builder.Services.AddSingleton<UserDirectory>();

        var app = builder.Build();
        app.MapShopBasics();
        app.MapPost("/users", async (NewUser user, UserDirectory users, IEventPublisher events, CancellationToken cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(user.Name) || user.Email?.Contains('@', StringComparison.Ordinal) != true)
            {
                return Results.Problem("A user needs a name and an email address.", statusCode: 400);
            }

            var registered = users.Add(user.Name, user.Email);
            await events.PublishAsync(new UserRegistered(registered.Id), new PublishOptions { CorrelationId = registered.Id }, cancellationToken);
            return Results.Created($"/users/{registered.Id}", registered);
        });
        app.MapGet("/users/{id}", (string id, UserDirectory users) => users.Find(id) is { } user ? Results.Ok(user) : Results.NotFound());
        app.MapGet("/users", (UserDirectory users) => new { count = users.Count });
        return app;
    }
}

public sealed record NewUser(string Name, string Email);

public sealed record User(string Id, string Name, string Email);

/// <summary>The service's own table of users. It is the source of truth for addresses; the log only says who joined.</summary>
public sealed class UserDirectory
{
    private readonly ConcurrentDictionary<string, User> _users = new();

    public int Count => _users.Count;

    public User Add(string name, string email)
    {
        var user = new User($"user-{Guid.CreateVersion7():N}", name, email);
        _users[user.Id] = user;
        return user;
    }

    public User? Find(string id) => _users.GetValueOrDefault(id);
}
